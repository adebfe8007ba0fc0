import type { AgoraError } from "../../errors.js";
import type { JsonSchema, RecordMessage } from "../../messages/types.js";
import type { ConnectorConfig } from "../config.js";
import type { Logger } from "../logger.js";

/** What every hook of a target receives. */
export interface TargetContext<Config = ConnectorConfig> {
  readonly config: Config;
  readonly logger: Logger;
}

/** A stream as the target knows it from its latest SCHEMA. */
export interface StreamInfo {
  readonly name: string;
  readonly schema: JsonSchema;
  readonly keyProperties: readonly string[];
}

/** The records of one stream in a batch, in arrival order. */
export interface StreamRecords {
  readonly stream: StreamInfo;
  readonly records: readonly RecordMessage[];
  /** The input line of each record (same index), for errors that name it. */
  readonly lines: readonly number[];
  /**
   * Each record as text (same index), present when the writer takes records
   * as text or encoded (TargetWriter.recordsAs); `records` is then empty.
   * As "text", each record's JSON, cut from the input line where that is
   * safe, so a writer storing JSON need not stringify each record again.
   */
  readonly texts?: readonly string[];
  /**
   * Present when a runner that understands DEAD_LETTER is reading (it sets
   * AGORA_DEAD_LETTER=1): a writer may then reject one record it cannot
   * store (by index) and go on, instead of failing the whole batch.
   */
  readonly reject?: ((index: number, error: AgoraError) => void) | undefined;
}

/**
 * How a target writes. Opened once per run. How its batches carry records
 * is one of three forms (`recordsAs`): objects (the default), each record's
 * JSON text ("text", for a writer that stores records as JSON), or what the
 * writer's own `encodeRecord` made of each record as it arrived ("encoded",
 * a CSV line say). With text or encodings `records` is empty and the
 * objects are let go as soon as they are validated: less to hold, and to
 * collect.
 */
export type TargetWriter = ObjectWriter | TextWriter | EncodingWriter;

/** A writer whose batches carry records as objects. */
export interface ObjectWriter extends WriterMethods {
  readonly recordsAs?: "objects";
}

/** A writer whose batches carry each record's JSON text (StreamRecords.texts). */
export interface TextWriter extends WriterMethods {
  readonly recordsAs: "text";
}

/** A writer whose batches carry its own encoding of each record (StreamRecords.texts), made by encodeRecord. */
export interface EncodingWriter extends WriterMethods {
  readonly recordsAs: "encoded";
  /**
   * The writer may reject single records (a row its destination refuses),
   * so when the runner asks for dead letters the SDK keeps each record's
   * JSON text beside its encoding. Without it the batches have no `reject`.
   */
  readonly rejectsRecords?: boolean;
  /**
   * The record as the writer will write it, made when it arrives; `stream`
   * is its stream as of its latest SCHEMA, whose prepareStream has finished
   * (records wait for it), and `message` the whole RECORD (its `version`,
   * say). Throwing fails the run at that record's line.
   */
  encodeRecord(stream: StreamInfo, message: RecordMessage): string;
}

/** What every writer does, whatever form its batches take. */
export interface WriterMethods {
  /**
   * May prepare the destination for a stream (create a table, add columns).
   * Called for a stream's first SCHEMA and whenever it changes; records that
   * arrived under the old schema have been written first.
   */
  prepareStream?(stream: StreamInfo): Promise<void> | void;
  /**
   * Told of a stream's first record (under its latest SCHEMA) as it
   * arrives, not awaited: a writer may start opening what the stream is
   * written to (its file), so the batch that writes it finds it ready. A
   * failure there is for the write to meet and report.
   */
  streamStarting?(stream: StreamInfo): void;
  /**
   * Must write the records, and make them durable (committed, fsynced)
   * before the returned promise resolves: the SDK confirms STATE right after.
   * Throwing fails the run without confirming anything past the last batch.
   */
  writeBatch(batch: readonly StreamRecords[]): Promise<void> | void;
  /**
   * Writes one Arrow batch file as it is, columnar (the target names "arrow"
   * in `nativeBatchFormats`): `ipc` holds the file's bytes (an Arrow IPC
   * stream whose columns the SDK has checked against the stream's SCHEMA).
   * Records before it have been written first. Returns the rows written;
   * durable on return, like writeBatch.
   */
  writeArrowBatch?(stream: StreamInfo, ipc: Uint8Array, file: string, prepared?: Uint8Array): Promise<number> | number;
  /**
   * The first half of writeArrowBatch, if it has one: work on the batch
   * that needs nothing written before it (encoding it for the destination).
   * The SDK calls it as soon as the file is read, while the batch before it
   * is still being written, and hands what it returns to writeArrowBatch as
   * `prepared`. Throwing fails the batch, after the ones before it.
   */
  prepareArrowBatch?(stream: StreamInfo, ipc: Uint8Array): Promise<Uint8Array> | Uint8Array;
  /**
   * Loads one Parquet batch file as it is (the target names "parquet" in
   * `nativeBatchFormats`); its columns, checked against the stream's
   * SCHEMA from the footer, are `columns`. Records before it have been
   * written first. Returns the rows written; durable on return.
   */
  writeParquetBatch?(stream: StreamInfo, file: string, columns: readonly string[]): Promise<number> | number;
  /** May make `version` the stream's only visible version (ACTIVATE_VERSION). Durable on return. */
  activateVersion?(stream: StreamInfo, version: number): Promise<void> | void;
  /** May release resources; called once after the last batch, also after a failure. */
  close?(): Promise<void> | void;
}

/** Everything a target author writes. The SDK does framing, validation, batching and STATE. */
export interface TargetDefinition<Config = ConnectorConfig> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** JSON Schema (an object schema) of the config. */
  readonly settings: JsonSchema;
  /** True if the writer implements `activateVersion`: the target then claims `activate-version`. */
  readonly activatesVersions?: boolean;
  /**
   * Batch formats the writer takes as they are (its writer implements
   * writeArrowBatch for "arrow", writeParquetBatch for "parquet"); batches of
   * the other formats the SDK reads (jsonl, arrow, parquet) reach writeBatch
   * as records.
   */
  readonly nativeBatchFormats?: ReadonlyArray<"arrow" | "parquet">;
  /** Must open the destination and return its writer. */
  open(context: TargetContext<Config>): Promise<TargetWriter> | TargetWriter;
  /** May check the destination is writable; returns a one-line success message. */
  testConnection?(context: TargetContext<Config>): Promise<string> | string;
}
