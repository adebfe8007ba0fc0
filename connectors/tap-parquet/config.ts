import { BAD_ROW_SETTING, filesSetting, resolveFileStreams, type BadRowPolicy, type ConnectorConfig, type FileEntry } from "../../protocol/tap.js";

export const PARQUET_SETTINGS = {
  type: "object",
  additionalProperties: false,
  required: ["files"],
  properties: {
    files: filesSetting("The Parquet files to read, one stream each. Types come from each file's schema.", "Path of the Parquet file."),
    non_finite_numbers: {
      type: "string",
      enum: ["null", "bad_row"],
      default: "null",
      description:
        'NaN and ±Infinity, which JSON cannot write: "null" writes null and counts them (a warning per column at the end of the stream); "bad_row" makes the row a bad row (on_bad_row decides).',
    },
    on_bad_row: BAD_ROW_SETTING,
  },
} as const;

export interface ParquetConfig extends ConnectorConfig {
  files: FileEntry[];
  non_finite_numbers: "null" | "bad_row";
  on_bad_row: BadRowPolicy;
}

export interface ParquetFileEntry {
  readonly path: string;
  readonly stream: string;
  readonly keyProperties: readonly string[];
}

export function resolveFiles(config: ParquetConfig): ParquetFileEntry[] {
  return resolveFileStreams(config.files, "tap-parquet").map((entry) => ({ path: entry.path, stream: entry.stream, keyProperties: entry.key_properties }));
}
