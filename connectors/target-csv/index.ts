import { resolve } from "node:path";
import {
  checkDirectoryWritable,
  defineTarget,
  DestinationNames,
  DirectorySyncs,
  MAX_OPEN_FILES_SETTING,
  OpenFiles,
  streamFilePath,
  STREAMS_AT_ONCE,
  writeStreamsAtOnce,
  type ConnectorConfig,
  type StreamInfo,
} from "../../protocol/index.js";
import { CsvFile, csvRecordLineOf, csvWriting } from "./csv-file.js";

interface CsvTargetConfig extends ConnectorConfig {
  destination_path: string;
  file_naming: string;
  delimiter: string;
  quote_char: string;
  max_open_files: number;
}

function columnsOf(stream: StreamInfo): string[] {
  return Object.keys((stream.schema["properties"] ?? {}) as object);
}

export const targetCsv = defineTarget<CsvTargetConfig>({
  name: "target-csv",
  version: "0.1.0",
  description:
    "Writes each stream to a CSV file with a header from the schema (nested values as JSON). Every batch is fsynced before its STATE is confirmed; when a schema gains columns, writing continues in a new file.",
  settings: {
    type: "object",
    additionalProperties: false,
    properties: {
      destination_path: { type: "string", default: "output", description: "Directory the files are written to (created if missing)." },
      file_naming: { type: "string", default: "{stream}.csv", description: "File name pattern; {stream} is replaced by the stream name." },
      delimiter: { type: "string", minLength: 1, maxLength: 1, default: ",", description: 'Field separator ("\\t" for TSV).' },
      quote_char: { type: "string", minLength: 1, maxLength: 1, default: '"', description: "Quote character." },
      max_open_files: MAX_OPEN_FILES_SETTING,
    },
  },
  testConnection: ({ config }) => checkDirectoryWritable(resolve(config.destination_path)),
  open({ config, logger }) {
    const format = csvWriting({ delimiter: config.delimiter, quoteChar: config.quote_char });
    /** Each stream's columns, from its latest SCHEMA. */
    const wanted = new Map<string, readonly string[]>();
    // A stream's schema (StreamInfo) fixes its columns, so its encoder.
    const encoders = new WeakMap<StreamInfo, (record: Readonly<Record<string, unknown>>) => string>();
    const destinations = new DestinationNames("file");
    const directories = new DirectorySyncs();
    const pathOf = (stream: string): string => streamFilePath(config.destination_path, config.file_naming, stream);
    /** Each stream's current file, where a file closed to make room is appended to again. */
    const current = new Map<string, string>();
    // At most max_open_files open: a file closed to make room is reopened where it was, with nothing to repair or read
    // (with 10,000 streams and 4,096 open, most files are reopened at every batch).
    const files = new OpenFiles<CsvFile>(
      config.max_open_files,
      async (stream, reopen) => {
        const columns = wanted.get(stream);
        if (columns === undefined) throw new Error(`no schema prepared for stream ${stream}`);
        const path = current.get(stream);
        if (reopen && path !== undefined) return CsvFile.reopen(path, columns);
        const file = await CsvFile.open(pathOf(stream), columns, format, logger, directories);
        current.set(stream, file.path);
        return file;
      },
      async (file) => file.close(),
    );
    return {
      // A stream's file is opened from its first record (streamStarting), not at its SCHEMA; a new schema closes it.
      async prepareStream(stream) {
        const columns = columnsOf(stream);
        const before = wanted.get(stream.name);
        wanted.set(stream.name, columns);
        if (before !== undefined && before.join("\u0000") === columns.join("\u0000")) return;
        // New columns: the file is closed, and the next one opened for them (CsvFile.open picks a file whose header fits).
        await files.drop(stream.name);
        destinations.claim(stream.name, pathOf(stream.name));
      },
      // A stream's file is opened from its first record, while the batch fills.
      streamStarting: (stream) => files.prepare(stream.name),
      // Each record becomes its CSV line as it arrives; a batch holds lines, not records.
      recordsAs: "encoded",
      encodeRecord(stream, message) {
        let lineOf = encoders.get(stream);
        if (lineOf === undefined) {
          // Set once per schema: a WeakMap set at every record cost 60 ns of each over 2,000 streams.
          lineOf = csvRecordLineOf(columnsOf(stream), format);
          encoders.set(stream, lineOf);
        }
        return lineOf(message.record);
      },
      // Streams are written and fsynced at once (a stream's own lines in order); new files' directory entries made durable once, before the batch's STATE.
      async writeBatch(batch) {
        await writeStreamsAtOnce(batch, STREAMS_AT_ONCE, async (stream, entries) => {
          const file = await files.use(stream);
          try {
            await file.handle.append(entries.map((entry) => entry.texts ?? []));
          } finally {
            file.release();
          }
        });
        await directories.syncAll();
      },
      async close() {
        const [error] = await files.closeAll();
        if (error !== undefined) throw error;
      },
    };
  },
});
