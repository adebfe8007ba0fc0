import { basename, extname } from "node:path";
import { ConfigError, type ConnectorConfig } from "../../protocol/index.js";

export const PARQUET_SETTINGS = {
  type: "object",
  additionalProperties: false,
  required: ["files"],
  properties: {
    files: {
      type: "array",
      minItems: 1,
      description: "The Parquet files to read, one stream each. Types come from each file's schema.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["path"],
        properties: {
          path: { type: "string", minLength: 1, description: "Path of the Parquet file." },
          stream: { type: "string", minLength: 1, description: "Stream name. Default: the file name without its extension." },
          key_properties: { type: "array", items: { type: "string" }, default: [], description: "Columns that identify a row." },
        },
      },
    },
  },
} as const;

export interface ParquetConfig extends ConnectorConfig {
  files: Array<{ path: string; stream?: string; key_properties: string[] }>;
}

export interface ParquetFileEntry {
  readonly path: string;
  readonly stream: string;
  readonly keyProperties: readonly string[];
}

export function resolveFiles(config: ParquetConfig): ParquetFileEntry[] {
  const seen = new Set<string>();
  return config.files.map((entry) => {
    const stream = entry.stream ?? basename(entry.path, extname(entry.path));
    if (seen.has(stream)) {
      throw new ConfigError("DUPLICATE_STREAM", `two files map to stream "${stream}"`, {
        where: { connector: "tap-parquet", setting: "files", file: entry.path },
        hint: 'Give each file its own "stream" name.',
      });
    }
    seen.add(stream);
    return { path: entry.path, stream, keyProperties: entry.key_properties };
  });
}
