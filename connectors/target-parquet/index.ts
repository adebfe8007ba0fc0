import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  arrowColumns,
  arrowToParquet,
  checkDirectoryWritable,
  defineTarget,
  DestinationNames,
  DirectorySyncs,
  encodeStreamRecords,
  MAX_OPEN_FILES_SETTING,
  numberedPath,
  OpenFiles,
  STREAMS_AT_ONCE,
  streamFilePath,
  writeStreamsAtOnce,
  type ConnectorConfig,
  type Logger,
  type ParquetCompression,
  type StreamInfo,
} from "../../protocol/index.js";
import { checkParquetBatch } from "./batch-check.js";
import { ParquetFile } from "./parquet-file.js";
import { schemaKey, splitParquet, withJsonColumns } from "./parquet-footer.js";

interface ParquetTargetConfig extends ConnectorConfig {
  destination_path: string;
  file_naming: string;
  compression: ParquetCompression;
  dictionary: boolean;
  max_open_files: number;
}

/**
 * The key of a stream's file for one Parquet schema: a schema that changes
 * continues in another file. The schema (schemaKey's JSON) holds no raw NUL,
 * so the key's last one divides them, whatever the stream's name holds.
 */
const keyOf = (stream: string, schema: string): string => `${stream}\u0000${schema}`;
const partsOf = (key: string): { readonly stream: string; readonly schema: string } => {
  const at = key.lastIndexOf("\u0000");
  return { stream: key.slice(0, at), schema: key.slice(at + 1) };
};

/**
 * The files of a run: a stream's file per Parquet schema, at most
 * `max_open_files` open (OpenFiles: the least recently written is closed
 * and found again by its path), and where a stream's next batch goes.
 */
class StreamFiles {
  private readonly destinations = new DestinationNames("file");
  /** Each key's file path, once found: a file closed to make room is opened again there. */
  private readonly paths = new Map<string, string>();
  /** Each path's key: a new file of another schema at a path has no footer yet to say it is taken. */
  private readonly owners = new Map<string, string>();
  private readonly files: OpenFiles<ParquetFile>;
  /** New files' folder entries, made durable once per batch before its STATE is confirmed. */
  readonly directories = new DirectorySyncs();

  constructor(
    private readonly config: ParquetTargetConfig,
    private readonly logger: Logger,
  ) {
    this.files = new OpenFiles<ParquetFile>(
      config.max_open_files,
      (key) => this.openFile(key),
      (file) => file.close(),
    );
  }

  private basePath(stream: string): string {
    return streamFilePath(this.config.destination_path, this.config.file_naming, stream);
  }

  /** The file for a batch of Parquet schema `schema` of `stream`, held until its release. */
  use(stream: string, schema: string): Promise<{ readonly handle: ParquetFile; release(): void }> {
    return this.files.use(keyOf(stream, schema));
  }

  /**
   * Opens a key's file: where it was before, or the first of
   * `<name>.parquet`, `<name>-2.parquet`… that is new or holds the schema
   * (a schema that changed, or rows of another lane, never share a file).
   */
  private async openFile(key: string): Promise<ParquetFile> {
    const { stream, schema } = partsOf(key);
    const known = this.paths.get(key);
    const reopened = known === undefined ? undefined : await ParquetFile.open(known, schema, this.logger);
    if (reopened !== undefined) return reopened;
    const base = this.basePath(stream);
    this.destinations.claim(stream, base);
    for (let suffix = 1; ; suffix += 1) {
      const path = suffix === 1 ? base : numberedPath(base, suffix);
      const owner = this.owners.get(path);
      if (owner !== undefined && owner !== key) continue;
      const file = await ParquetFile.open(path, schema, this.logger);
      if (file !== undefined) {
        this.paths.set(key, path);
        this.owners.set(path, key);
        return file;
      }
    }
  }

  async closeAll(): Promise<void> {
    const [error] = await this.files.closeAll();
    if (error !== undefined) throw error;
  }
}

export const targetParquet = defineTarget<ParquetTargetConfig>({
  name: "target-parquet",
  version: "0.1.0",
  description:
    "Writes each stream to a Parquet file, a row group per batch; Parquet batches are appended as they are (column chunks copied, once checked to decode), Arrow batches written columnar. The file is complete and fsynced after every batch, before its STATE is confirmed; a schema that changes continues in a new file.",
  settings: {
    type: "object",
    additionalProperties: false,
    properties: {
      destination_path: { type: "string", default: "output", description: "Directory the files are written to (created if missing)." },
      file_naming: { type: "string", default: "{stream}.parquet", description: "File name pattern; {stream} is replaced by the stream name." },
      compression: { type: "string", enum: ["snappy", "zstd", "gzip", "lz4", "none"], default: "snappy", description: "Compression of the column chunks." },
      dictionary: { type: "boolean", default: false, description: "Dictionary-encode columns: smaller files when values repeat, slower to write." },
      max_open_files: MAX_OPEN_FILES_SETTING,
    },
  },
  nativeBatchFormats: ["arrow", "parquet"],
  testConnection: ({ config }) => checkDirectoryWritable(resolve(config.destination_path)),
  open({ config, logger }) {
    const files = new StreamFiles(config, logger);
    const options = { compression: config.compression, dictionary: config.dictionary };
    /**
     * Appends the row groups of a whole Parquet file as they are, its column
     * chunks copied; a tap's file (`checkFrom`) is first checked to read back.
     */
    const append = async (stream: StreamInfo, bytes: Uint8Array, jsonColumns: ReadonlySet<string> = new Set(), checkFrom?: string): Promise<number> => {
      const split = splitParquet(bytes);
      if (checkFrom !== undefined) await checkParquetBatch(bytes, split, { stream: stream.name, file: checkFrom });
      const encoded = { ...split, metadata: withJsonColumns(split.metadata, jsonColumns) };
      const file = await files.use(stream.name, schemaKey(encoded.metadata));
      try {
        await file.handle.append(encoded, files.directories);
      } finally {
        file.release();
      }
      return Number(encoded.metadata.num_rows);
    };
    /** `rows`, once new files' folder entries are durable too (a native batch is durable on return). */
    const durable = async (rows: number): Promise<number> => {
      await files.directories.syncAll();
      return rows;
    };
    /** Writes one Arrow IPC stream as row groups of the stream's file; returns its rows. */
    const write = async (stream: StreamInfo, ipc: Uint8Array, jsonColumns?: ReadonlySet<string>): Promise<number> =>
      append(stream, await arrowToParquet(ipc, options), jsonColumns);
    return {
      writeParquetBatch: async (stream, path) => durable(await append(stream, await readFile(path), undefined, path)),
      // Streams are encoded and written at once (a stream's own entries in order): one stream's fsync waits while another is encoded.
      async writeBatch(batch) {
        await writeStreamsAtOnce(batch, STREAMS_AT_ONCE, async (_stream, entries) => {
          for (const entry of entries) {
            // Dates and date-times as Parquet's DATE and TIMESTAMP (microseconds, UTC), decimals as DECIMAL, objects and arrays as JSON: as readers expect.
            const columns = arrowColumns(entry.stream.schema, { forReaders: true });
            const ipc = await encodeStreamRecords(columns, entry);
            if (ipc !== undefined) await write(entry.stream, ipc, new Set(columns.filter((column) => column.kind === "json").map((column) => column.name)));
          }
        });
        await files.directories.syncAll();
      },
      writeArrowBatch: async (stream, ipc) => durable(await write(stream, ipc)),
      close: () => files.closeAll(),
    };
  },
});
