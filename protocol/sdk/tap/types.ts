import type { DataError } from "../../errors.js";
import type { JsonSchema } from "../../messages/types.js";
import type { ConnectorConfig } from "../config.js";
import type { Logger } from "../logger.js";

export type TapRecord = { [key: string]: unknown };

/** What every hook of a tap receives. */
export interface TapContext<Config = ConnectorConfig> {
  /** The merged, validated config, defaults filled in. */
  readonly config: Config;
  readonly logger: Logger;
}

/** What a stream's `records` receives. */
export interface StreamContext<Config = ConnectorConfig> extends TapContext<Config> {
  /**
   * The bookmark an earlier run saved for this stream (from `--state`), or
   * undefined for a fresh sync. For a stream with a replication key it is
   * `{ replication_key, replication_key_value }`; otherwise whatever the
   * stream yielded with `bookmarked()`.
   */
  readonly bookmark: unknown;
  /** The replication key value to continue after, when the stream has one. */
  readonly replicationKeyValue: unknown;
  /**
   * The schema this sync announces for the stream: the catalog's, with
   * deselected properties removed. Convert values to it; properties it lacks
   * are dropped from records anyway.
   */
  readonly schema: JsonSchema;
  /** Aborted when the tap is asked to stop (SIGINT/SIGTERM); stop reading soon after. */
  readonly signal: AbortSignal;
}

/**
 * A record paired with the stream's position after it. Yield one from a
 * resumable stream: once the record is written, `bookmark` becomes the
 * stream's bookmark in the next STATE, and comes back as
 * `context.bookmark` when a later run resumes.
 */
export class Bookmarked {
  constructor(
    readonly record: TapRecord,
    readonly bookmark: unknown,
    /**
     * The record as JSON text, when the tap read it as such (a JSON Lines
     * file): written as it is unless the catalog leaves properties out,
     * which saves a JSON.stringify per record. It must be a JSON object
     * with exactly the record's content.
     */
    readonly json?: string,
  ) {}
}

export function bookmarked(record: TapRecord, bookmark: unknown, json?: string): Bookmarked {
  return new Bookmarked(record, bookmark, json);
}

/**
 * Records as rows of values in the order of the stream's `columns`, with
 * rejected rows among them: the fastest way for a tabular source to emit
 * flat records, as no object is built per record and each row is written
 * by a serializer compiled for the columns (see rowSerializer).
 * `bookmarkAfter(index)` is the stream's position after `rows[index]`; the
 * SDK asks for it only when it writes a STATE or the batch ends.
 */
export class RowBatch {
  constructor(
    readonly rows: ReadonlyArray<ReadonlyArray<unknown> | RejectedRow>,
    readonly bookmarkAfter?: (index: number) => unknown,
  ) {}
}

/**
 * A row the stream could not turn into a record. Yield one (see
 * BadRowHandler) to send it to the runner's dead-letter queue as a
 * DEAD_LETTER message; `bookmark`, when given, moves the stream's position
 * past it so a resumed run does not read it again.
 */
export class RejectedRow {
  constructor(
    readonly error: DataError,
    readonly details: { readonly record?: TapRecord; readonly raw?: string; readonly bookmark?: unknown },
    /** True when the row was skipped (`on_bad_row = "skip"`): nothing is sent, but its bookmark still moves past it. */
    readonly skipped = false,
  ) {}
}

/**
 * Rows a stream read as one Arrow record batch (the bytes of an Arrow IPC
 * stream), and the stream's position after them. See TapStream.arrowBatches.
 */
export class ArrowBatch {
  constructor(
    readonly ipc: Uint8Array,
    readonly rows: number,
    readonly bookmark?: unknown,
  ) {}
}

/**
 * What a stream's `records` may yield: a record, a bookmarked record, a
 * rejected row, an array of them (a batch, cheaper than one yield each),
 * or a RowBatch (when the stream has `columns`).
 */
export type StreamItem = TapRecord | Bookmarked | RejectedRow | ReadonlyArray<TapRecord | Bookmarked | RejectedRow> | RowBatch;

/** One stream of a tap. */
export interface TapStream<Config = ConnectorConfig> {
  /** The stream's id (`tap_stream_id`) and name. */
  readonly name: string;
  /** JSON Schema of its records. */
  readonly schema: JsonSchema;
  readonly keyProperties?: readonly string[];
  /**
   * A field whose value only grows (an updated_at, an id). The SDK keeps its
   * largest value as the bookmark; `context.replicationKeyValue` hands it back.
   */
  readonly replicationKey?: string;
  /**
   * True if records come in replication-key order, so the bookmark may
   * advance mid-stream. Otherwise it advances only when the stream ends.
   */
  readonly sortedByReplicationKey?: boolean;
  /** The names of the values in each row of a RowBatch: required to yield RowBatches. */
  readonly columns?: readonly string[];
  /** True if `records` honours `context.bookmark` (it yields `bookmarked()` records). */
  readonly resumable?: boolean;
  /** Must yield the stream's records in order; may yield `bookmarked(record, position)` and RejectedRows. */
  records(context: StreamContext<Config>): AsyncIterable<StreamItem> | Iterable<StreamItem>;
  /**
   * May read the stream as Arrow record batches, for a columnar source: the
   * SDK then writes each batch's bytes to a batch file as they are, with no
   * record built, when `batch_config.format` is arrow. Each batch's columns
   * must be the properties of `context.schema` (the selected ones), with
   * Arrow types that fit them (see columnFitsProperty). Return undefined
   * when the selection cannot be read this way; `records` is used instead.
   * Not used for streams with a replication key. A batch should hold up to
   * `files.rowsPerFile` rows (batch_config.rows_per_file) where the
   * source's own units (row groups) allow.
   */
  arrowBatches?(
    context: StreamContext<Config>,
    files: { readonly rowsPerFile: number },
  ): Promise<AsyncIterable<ArrowBatch> | undefined> | AsyncIterable<ArrowBatch> | undefined;
}

/** What a sync with a catalog needs: the selected streams, each with its schema from the catalog. */
export interface StreamRequest {
  /** The schemas of the selected streams (whole, before property selection), by stream name. */
  readonly schemas: ReadonlyMap<string, JsonSchema>;
}

/** Whether a stream is wanted by the request (every stream when there is none). */
export function isRequested(request: StreamRequest | undefined, stream: string): boolean {
  return request === undefined || request.schemas.has(stream);
}

/** Everything a tap author writes. The SDK does the rest. */
export interface TapDefinition<Config = ConnectorConfig> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** JSON Schema (an object schema) of the config. */
  readonly settings: JsonSchema;
  /** True if some streams can resume from a bookmark: the tap then claims the `state` capability. */
  readonly resumable: boolean;
  /**
   * Must return the streams this config offers. Called for --discover (no
   * request) and before a sync. A sync with a catalog passes `request`:
   * should build only the streams it names, and take each one's schema from
   * it rather than sample or fetch the source to infer one again.
   */
  discoverStreams(context: TapContext<Config>, request?: StreamRequest): Promise<readonly TapStream<Config>[]> | readonly TapStream<Config>[];
  /**
   * May check that the source is reachable; throw a ConfigError or
   * FatalError naming what is not. Returns a one-line success message.
   * Without it, --test_connection runs discovery.
   */
  testConnection?(context: TapContext<Config>): Promise<string> | string;
}
