import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Gzip } from "node:zlib";
import { ConfigError, DataError, FatalError } from "../../errors.js";
import { stringifyJson } from "../../values/exact-json.js";
import type { BatchMessage, JsonSchema } from "../../messages/types.js";
import { encodeArrowColumns } from "../arrow/arrow-codec.js";
import { arrowToParquet } from "../arrow/arrow-to-parquet.js";
import { arrowColumns, type ArrowColumn } from "../arrow/arrow-columns.js";
import { ProtocolCodes } from "../../messages/codes.js";
import type { BatchConfig } from "./batch-config.js";

/** A file name fit for any stream name (`../x`, `__proto__`, case-only differences): the name's safe characters, and a random part. */
function fileName(prefix: string, stream: string, run: string, number: number, extension: string): string {
  const safe = stream.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 60);
  return `${prefix}${safe}-${run}-${String(number).padStart(5, "0")}.${extension}`;
}

interface OpenFile {
  readonly path: string;
  readonly out: WriteStream;
  readonly gzip: Gzip | undefined;
  rows: number;
  /** The first write error (a full disk), reported by the next add or finish. */
  failure: Error | undefined;
}

/**
 * One stream's batch files, written as records come: `addJson` takes a
 * record's JSON text (jsonl), `addRecord` the record or `addRow` a row of
 * values (Arrow, gathered into columns and written at `finish`), and `finish` closes the file being written and returns the
 * BATCH message that announces it (undefined when it holds no record). Files
 * are complete before they are announced; a file is never reused.
 */
export class BatchFiles {
  private readonly root: string;
  private readonly gzip: boolean;
  // node:crypto and node:zlib load with a tap's first batch file: a tap sending records starts without them.
  private readonly run = process.getBuiltinModule("node:crypto").randomBytes(6).toString("hex");
  private file: OpenFile | undefined;
  private files = 0;
  /** Arrow: the columns of the stream's schema, and the records of the file being gathered. */
  private readonly columns: readonly ArrowColumn[];
  /** Arrow: the values gathered for each column, and how many rows they hold. */
  private columnValues: unknown[][] = [];
  private arrowRowCount = 0;
  /** Arrow, for rows of values: where each column's value is in a row (-1: not there), worked out once per list of row columns. */
  private rowIndexes: { readonly of: readonly string[]; readonly indexes: readonly number[] } | undefined;

  constructor(
    private readonly stream: string,
    private readonly config: BatchConfig,
    schema: JsonSchema,
    tmp: string,
  ) {
    this.root = resolve(config.root ?? join(tmp, "agora-batches"));
    this.gzip = config.compression === "gzip";
    if (this.columnar && this.gzip) {
      throw new ConfigError(
        ProtocolCodes.BATCH_CONFIG_INVALID,
        `batch_config: compression gzip is for jsonl batches (${config.format === "arrow" ? "Arrow files are written uncompressed" : "Parquet files compress their own column chunks"})`,
        {
          where: { setting: "batch_config.compression", stream },
          hint: 'Remove compression, or use format = "jsonl".',
        },
      );
    }
    this.columns = this.columnar ? arrowColumns(schema) : [];
    this.columnValues = this.columns.map(() => []);
    if (this.columnar && this.columns.length === 0) {
      throw new ConfigError(
        ProtocolCodes.BATCH_CONFIG_INVALID,
        `stream ${stream} has no properties in its schema, and ${config.format === "arrow" ? "Arrow" : "Parquet"} batches are columns of them`,
        {
          where: { setting: "batch_config.format", stream },
          hint: 'Use format = "jsonl" for this tap, or give the stream a schema with properties.',
        },
      );
    }
    try {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new ConfigError(ProtocolCodes.BATCH_ROOT_UNWRITABLE, `cannot make the batch folder ${this.root}: ${(error as Error).message}`, {
        where: { setting: "batch_config.root", stream },
        hint: "Choose a folder this tap may write to (batch_config.root).",
        cause: error,
      });
    }
  }

  get rowsPerFile(): number {
    return this.config.rows_per_file ?? 100_000;
  }

  /** Rows in the file being written. */
  get pending(): number {
    return this.columnar ? this.arrowRowCount : (this.file?.rows ?? 0);
  }

  /** True for Arrow and Parquet batches, which take records (`addRecord`) or rows (`addRow`); jsonl batches take JSON text (`addJson`). */
  get takesRecords(): boolean {
    return this.columnar;
  }

  /** The batch files are columns (Arrow or Parquet), gathered and written whole at `finish`. */
  private get columnar(): boolean {
    return this.config.format === "arrow" || this.config.format === "parquet";
  }

  /** Adds one record to the Arrow batch gathered (own properties only: a column named constructor is the record's). */
  addRecord(record: Readonly<Record<string, unknown>>): undefined {
    for (const [index, column] of this.columns.entries())
      (this.columnValues[index] as unknown[]).push(Object.hasOwn(record, column.name) ? record[column.name] : undefined);
    this.arrowRowCount += 1;
    return undefined;
  }

  /**
   * Adds one row of values, in the order of `rowColumns`, to the Arrow batch
   * gathered, straight into its columns: no record is made. The last of a
   * column named twice wins, as in a record; a column the stream's schema
   * (or the catalog's selection) leaves out is not kept.
   */
  addRow(rowColumns: readonly string[], row: ReadonlyArray<unknown>): undefined {
    if (this.rowIndexes?.of !== rowColumns) this.rowIndexes = { of: rowColumns, indexes: this.columns.map((column) => rowColumns.lastIndexOf(column.name)) };
    const { indexes } = this.rowIndexes;
    for (let index = 0; index < indexes.length; index += 1) {
      const at = indexes[index] as number;
      (this.columnValues[index] as unknown[]).push(at === -1 ? undefined : row[at]);
    }
    this.arrowRowCount += 1;
    return undefined;
  }

  /** Adds one record's JSON text to the jsonl file; resolves when the file's stream wants a pause (backpressure). */
  addJson(json: string): Promise<void> | undefined {
    this.file ??= this.open();
    const file = this.file;
    if (file.failure !== undefined) throw this.writeError(file.path, file.failure);
    file.rows += 1;
    const writable = file.gzip ?? file.out;
    if (writable.write(`${json}\n`)) return undefined;
    // A failed write (a full disk) never drains: the wait ends with its error instead.
    return new Promise((resolve, reject) => {
      const failed = (): void => {
        writable.off("drain", drained);
        reject(this.writeError(file.path, file.failure));
      };
      const drained = (): void => {
        file.out.off("error", failed);
        resolve();
      };
      writable.once("drain", drained);
      file.out.once("error", failed);
    });
  }

  /** Closes the file being written (on disk when this resolves) and returns its BATCH message. */
  async finish(): Promise<BatchMessage | undefined> {
    if (this.columnar) return this.finishColumns();
    const file = this.file;
    if (file === undefined) return undefined;
    this.file = undefined;
    await new Promise<void>((resolve, reject) => {
      if (file.failure !== undefined) reject(this.writeError(file.path, file.failure));
      file.out.once("error", () => reject(this.writeError(file.path, file.failure)));
      file.out.once("finish", resolve);
      (file.gzip ?? file.out).end();
    });
    return {
      type: "BATCH",
      stream: this.stream,
      encoding: { format: "jsonl", ...(this.gzip ? { compression: "gzip" } : {}) },
      manifest: [pathToFileURL(file.path).href],
    };
  }

  /** Writes the gathered columns as one Arrow IPC stream file, or one Parquet file. */
  private async finishColumns(): Promise<BatchMessage | undefined> {
    if (this.arrowRowCount === 0) return undefined;
    const [values, rows] = [this.columnValues, this.arrowRowCount];
    this.columnValues = this.columns.map(() => []);
    this.arrowRowCount = 0;
    let ipc: Uint8Array;
    try {
      ipc = await encodeArrowColumns(this.columns, values, rows, this.stream);
    } catch (error) {
      // A value no Arrow column of its type holds (an integer past 64 bits): these rows go as jsonl, every value as the
      // RECORD lane would send it. The BATCH says its format, and every reader of batches reads jsonl.
      if (!(error instanceof DataError)) throw error;
      return this.writeJsonlFile(values, rows);
    }
    return this.writeArrow(ipc);
  }

  /** Gathered columns written as one jsonl batch file, a record per row (a missing value left out, as in the record). */
  private async writeJsonlFile(values: readonly unknown[][], rows: number): Promise<BatchMessage> {
    const lines: string[] = [];
    for (let row = 0; row < rows; row += 1) {
      const record: Record<string, unknown> = {};
      this.columns.forEach((column, index) => {
        const value = (values[index] as unknown[])[row];
        // An own property even for the name __proto__, as JSON.parse makes it.
        if (value !== undefined) Object.defineProperty(record, column.name, { value, enumerable: true, writable: true, configurable: true });
      });
      lines.push(`${stringifyJson(record)}\n`);
    }
    this.files += 1;
    const path = join(this.root, fileName(this.config.prefix ?? "", this.stream, this.run, this.files, "jsonl"));
    try {
      await writeFile(path, lines.join(""), { flag: "wx", mode: 0o600 });
    } catch (error) {
      throw this.writeError(path, error as Error);
    }
    return { type: "BATCH", stream: this.stream, encoding: { format: "jsonl" }, manifest: [pathToFileURL(path).href] };
  }

  /**
   * Writes an Arrow IPC stream (gathered, or read natively by the stream) as
   * one batch file in the configured format (Parquet encoded from it), and
   * returns its BATCH message.
   */
  async writeArrow(ipc: Uint8Array): Promise<BatchMessage> {
    const parquet = this.config.format === "parquet";
    const bytes = parquet ? await arrowToParquet(ipc, { compression: "snappy", dictionary: false }) : ipc;
    this.files += 1;
    const path = join(this.root, fileName(this.config.prefix ?? "", this.stream, this.run, this.files, parquet ? "parquet" : "arrow"));
    try {
      await writeFile(path, bytes, { flag: "wx", mode: 0o600 });
    } catch (error) {
      throw this.writeError(path, error as Error);
    }
    return { type: "BATCH", stream: this.stream, encoding: { format: parquet ? "parquet" : "arrow" }, manifest: [pathToFileURL(path).href] };
  }

  private open(): OpenFile {
    this.files += 1;
    const path = join(this.root, fileName(this.config.prefix ?? "", this.stream, this.run, this.files, this.gzip ? "jsonl.gz" : "jsonl"));
    // Batch files hold the source's data: the owner's only.
    const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
    const gzip = this.gzip ? process.getBuiltinModule("node:zlib").createGzip() : undefined;
    gzip?.pipe(out);
    const file: OpenFile = { path, out, gzip, rows: 0, failure: undefined };
    out.on("error", (error) => (file.failure ??= error));
    return file;
  }

  private writeError(path: string, failure: Error | undefined): FatalError {
    const full = (failure as NodeJS.ErrnoException | undefined)?.code === "ENOSPC";
    return new FatalError(
      full ? "DISK_FULL" : "BATCH_WRITE_FAILED",
      `cannot write batch file ${path}: ${full ? "the disk is full" : (failure?.message ?? "write failed")}`,
      {
        where: { stream: this.stream, file: path },
        hint: full
          ? "Free space in batch_config.root (or choose another folder) and run again; nothing after the last STATE is lost."
          : "Check that batch_config.root is writable.",
        cause: failure,
      },
    );
  }
}
