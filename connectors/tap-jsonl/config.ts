import {
  BAD_ROW_SETTING,
  filesSetting,
  ON_FILE_CHANGE_SETTING,
  resolveFileStreams,
  type BadRowPolicy,
  type ConnectorConfig,
  type FileChangePolicy,
  type FileEntry,
} from "../../protocol/tap.js";

export const JSONL_SETTINGS = {
  type: "object",
  additionalProperties: false,
  required: ["files"],
  properties: {
    files: filesSetting("The files to read, one stream each. Each line of a file is one JSON object.", "Path of the JSON Lines file."),
    sample_size: { type: "integer", minimum: 1, default: 1000, description: "Lines read from the start of each file to infer the schema." },
    on_bad_row: BAD_ROW_SETTING,
    on_file_change: ON_FILE_CHANGE_SETTING,
    max_line_bytes: {
      type: "integer",
      minimum: 1024,
      default: 67108864,
      description: "Longest line accepted, in bytes (64 MiB by default); a longer one stops the stream naming its file and line.",
    },
  },
} as const;

export interface JsonlConfig extends ConnectorConfig {
  files: FileEntry[];
  sample_size: number;
  on_bad_row: BadRowPolicy;
  on_file_change: FileChangePolicy;
  max_line_bytes: number;
}

export interface JsonlFile {
  readonly path: string;
  readonly stream: string;
  readonly keyProperties: readonly string[];
}

export function resolveFiles(config: JsonlConfig): JsonlFile[] {
  return resolveFileStreams(config.files, "tap-jsonl").map((entry) => ({ path: entry.path, stream: entry.stream, keyProperties: entry.key_properties }));
}
