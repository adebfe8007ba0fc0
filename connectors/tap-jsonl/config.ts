import { basename, extname } from "node:path";
import { BAD_ROW_SETTING, ConfigError, type BadRowPolicy, type ConnectorConfig } from "../../protocol/index.js";

export const JSONL_SETTINGS = {
  type: "object",
  additionalProperties: false,
  required: ["files"],
  properties: {
    files: {
      type: "array",
      minItems: 1,
      description: "The files to read, one stream each. Each line of a file is one JSON object.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["path"],
        properties: {
          path: { type: "string", minLength: 1, description: "Path of the JSON Lines file." },
          stream: { type: "string", minLength: 1, description: "Stream name. Default: the file name without its extension." },
          key_properties: { type: "array", items: { type: "string" }, default: [], description: "Fields that identify a record." },
        },
      },
    },
    sample_size: { type: "integer", minimum: 1, default: 1000, description: "Lines read from the start of each file to infer the schema." },
    on_bad_row: BAD_ROW_SETTING,
  },
} as const;

export interface JsonlConfig extends ConnectorConfig {
  files: Array<{ path: string; stream?: string; key_properties: string[] }>;
  sample_size: number;
  on_bad_row: BadRowPolicy;
}

export interface JsonlFile {
  readonly path: string;
  readonly stream: string;
  readonly keyProperties: readonly string[];
}

export function resolveFiles(config: JsonlConfig): JsonlFile[] {
  const seen = new Set<string>();
  return config.files.map((entry) => {
    const stream = entry.stream ?? basename(entry.path, extname(entry.path));
    if (seen.has(stream)) {
      throw new ConfigError("DUPLICATE_STREAM", `two files map to stream "${stream}"`, {
        where: { connector: "tap-jsonl", setting: "files", file: entry.path },
        hint: 'Give each file its own "stream" name.',
      });
    }
    seen.add(stream);
    return { path: entry.path, stream, keyProperties: entry.key_properties };
  });
}
