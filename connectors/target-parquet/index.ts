import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  arrowColumns,
  arrowToParquet,
  checkDirectoryWritable,
  defineTarget,
  DestinationNames,
  encodeStreamRecords,
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
}

/** The files of a run, one open per stream, and where a stream's next batch goes. */
class StreamFiles {
  private readonly open = new Map<string, ParquetFile>();
  private readonly destinations = new DestinationNames("file");

  constructor(
    private readonly config: ParquetTargetConfig,
    private readonly logger: Logger,
  ) {}

  private basePath(stream: string): string {
    return resolve(join(this.config.destination_path, this.config.file_naming.replaceAll("{stream}", stream.replace(/[^\w.-]/g, "_"))));
  }

  /**
   * The file for a batch of Parquet schema `schema`: the stream's current one
   * if it holds that schema, else the first of `<name>.parquet`,
   * `<name>-2.parquet`… that is new or holds it (a schema that changed,
   * or rows of another lane, never share a file).
   */
  async fileFor(stream: string, schema: string): Promise<ParquetFile> {
    const current = this.open.get(stream);
    if (current?.schema === schema) return current;
    await current?.close();
    const base = this.basePath(stream);
    this.destinations.claim(stream, base);
    for (let suffix = 1; ; suffix += 1) {
      const path = suffix === 1 ? base : base.replace(/(\.[^./]*)?$/, (extension) => `-${suffix}${extension}`);
      const file = await ParquetFile.open(path, schema, this.logger);
      if (file !== undefined) {
        this.open.set(stream, file);
        return file;
      }
    }
  }

  async closeAll(): Promise<void> {
    for (const file of this.open.values()) await file.close();
    this.open.clear();
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
      const file = await files.fileFor(stream.name, schemaKey(encoded.metadata));
      await file.append(encoded);
      return Number(encoded.metadata.num_rows);
    };
    /** Writes one Arrow IPC stream as row groups of the stream's file; returns its rows. */
    const write = async (stream: StreamInfo, ipc: Uint8Array, jsonColumns?: ReadonlySet<string>): Promise<number> =>
      append(stream, await arrowToParquet(ipc, options), jsonColumns);
    return {
      writeParquetBatch: async (stream, path) => append(stream, await readFile(path), undefined, path),
      async writeBatch(batch) {
        for (const entry of batch) {
          // Dates and date-times as Parquet's DATE and TIMESTAMP (microseconds, UTC), decimals as DECIMAL, objects and arrays as JSON: as readers expect.
          const columns = arrowColumns(entry.stream.schema, { forReaders: true });
          const ipc = await encodeStreamRecords(columns, entry);
          if (ipc !== undefined) await write(entry.stream, ipc, new Set(columns.filter((column) => column.kind === "json").map((column) => column.name)));
        }
      },
      writeArrowBatch: (stream, ipc) => write(stream, ipc),
      close: () => files.closeAll(),
    };
  },
});
