import { filesSetting, resolveFileStreams, type ConnectorConfig, type FileEntry } from "../../protocol/index.js";

export const PARQUET_SETTINGS = {
  type: "object",
  additionalProperties: false,
  required: ["files"],
  properties: {
    files: filesSetting("The Parquet files to read, one stream each. Types come from each file's schema.", "Path of the Parquet file."),
  },
} as const;

export interface ParquetConfig extends ConnectorConfig {
  files: FileEntry[];
}

export interface ParquetFileEntry {
  readonly path: string;
  readonly stream: string;
  readonly keyProperties: readonly string[];
}

export function resolveFiles(config: ParquetConfig): ParquetFileEntry[] {
  return resolveFileStreams(config.files, "tap-parquet").map((entry) => ({ path: entry.path, stream: entry.stream, keyProperties: entry.key_properties }));
}
