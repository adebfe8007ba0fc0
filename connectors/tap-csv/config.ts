import { extname } from "node:path";
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

/** Each encoding setting, as the file is decoded. */
const ENCODINGS = { "utf-8": "utf-8", "utf-8-sig": "utf-8", latin1: "latin1", "iso-8859-1": "latin1", "utf-16le": "utf-16le", "utf-16be": "utf-16be" } as const;
export type CsvEncoding = keyof typeof ENCODINGS;

const FORMAT_PROPERTIES = {
  delimiter: { type: "string", minLength: 1, maxLength: 1, description: 'Field separator. Default "," (tab for .tsv files).' },
  quote_char: { type: "string", minLength: 1, maxLength: 1, default: '"', description: "Quote character." },
  header: { type: "boolean", default: true, description: "The first line holds column names." },
  encoding: {
    type: "string",
    enum: Object.keys(ENCODINGS),
    default: "utf-8",
    description:
      "File encoding. A byte-order mark of that encoding is skipped; one of another encoding (a UTF-16 file read as UTF-8) stops the stream naming the file.",
  },
} as const;

/** The same options for one file: no defaults here, so an unset one falls back to the top-level setting. */
const FILE_FORMAT_PROPERTIES = Object.fromEntries(
  Object.entries(FORMAT_PROPERTIES).map(([name, { default: _default, description, ...schema }]: [string, Record<string, unknown>]) => [
    name,
    { ...schema, description: `${String(description)} Default: the top-level \`${name}\`.` },
  ]),
);

export const CSV_SETTINGS = {
  type: "object",
  additionalProperties: false,
  required: ["files"],
  properties: {
    files: filesSetting("The files to read, one stream each.", "Path of the CSV or TSV file.", {
      columns: { type: "array", items: { type: "string" }, description: "Column names, for files without a header (or to rename a header's)." },
      ...FILE_FORMAT_PROPERTIES,
    }),
    ...FORMAT_PROPERTIES,
    sample_size: { type: "integer", minimum: 1, default: 1000, description: "Rows read from the start of each file to infer column types." },
    on_bad_row: BAD_ROW_SETTING,
    on_file_change: ON_FILE_CHANGE_SETTING,
    encoding_errors: {
      type: "string",
      enum: ["strict", "replace"],
      default: "strict",
      description:
        "Bytes that are not valid UTF-8 in a UTF-8 file: `strict` makes that row a bad row (`on_bad_row` decides; code CSV_INVALID_UTF8); `replace` reads them as U+FFFD.",
    },
    quoted_empty: {
      type: "string",
      enum: ["empty_string", "null"],
      default: "empty_string",
      description:
        'A quoted empty field (`""`) in a text column: `empty_string` reads it as an empty string, told apart from an unquoted empty field, which is null (as Postgres\'s COPY does); `null` reads both as null.',
    },
  },
} as const;

interface CsvFileEntry extends FileEntry {
  columns?: string[];
  delimiter?: string;
  quote_char?: string;
  header?: boolean;
  encoding?: CsvEncoding;
}

export interface CsvConfig extends ConnectorConfig {
  files: CsvFileEntry[];
  delimiter?: string;
  quote_char: string;
  header: boolean;
  encoding: CsvEncoding;
  sample_size: number;
  on_bad_row: BadRowPolicy;
  on_file_change: FileChangePolicy;
  encoding_errors: "strict" | "replace";
  quoted_empty: "empty_string" | "null";
}

/** One file with every format option decided. */
export interface CsvFile {
  readonly path: string;
  readonly stream: string;
  readonly keyProperties: readonly string[];
  readonly columns: readonly string[] | undefined;
  readonly delimiter: string;
  readonly quoteChar: string;
  readonly header: boolean;
  readonly encoding: (typeof ENCODINGS)[CsvEncoding];
  /** Report rows with bytes that are not UTF-8 instead of reading them as U+FFFD. */
  readonly strictUtf8: boolean;
}

/** Each file entry with the top-level defaults applied. Stream names must be unique. */
export function resolveFiles(config: CsvConfig): CsvFile[] {
  return resolveFileStreams(config.files, "tap-csv").map((entry): CsvFile => {
    const extension = extname(entry.path).toLowerCase();
    return {
      path: entry.path,
      stream: entry.stream,
      keyProperties: entry.key_properties,
      columns: entry.columns,
      delimiter: entry.delimiter ?? config.delimiter ?? (extension === ".tsv" || extension === ".tab" ? "	" : ","),
      quoteChar: entry.quote_char ?? config.quote_char,
      header: entry.header ?? config.header,
      encoding: ENCODINGS[entry.encoding ?? config.encoding],
      strictUtf8: ENCODINGS[entry.encoding ?? config.encoding] === "utf-8" && config.encoding_errors !== "replace",
    };
  });
}
