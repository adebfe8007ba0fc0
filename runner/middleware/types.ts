import type { JsonSchema } from "../../protocol/index.js";

export type RecordValue = { [key: string]: unknown };

/** What a middleware sees of the stream a record belongs to. */
export interface StreamShape {
  readonly stream: string;
  readonly schema: JsonSchema;
  readonly keyProperties: readonly string[];
}

/**
 * The plane data travels on, and a stage works on: rows (RECORD messages,
 * one record at a time) or batches (BATCH files as they are; a middleware
 * step works on Arrow batches, a record batch at a time, columnar).
 */
export type Plane = "rows" | "batches";

/** An Arrow batch as a middleware gets it: the table apache-arrow reads from a batch file. */
export type ArrowTable = import("apache-arrow").Table;

/**
 * One step of a pipeline's middleware chain. `transform` returns the new
 * record, or null to drop it; it may be async. Throwing sends the record to
 * the dead-letter queue (stage "middleware") under the pipeline's policy.
 * `transformSchema`, when present, must describe what `transform` makes, so
 * targets receive a SCHEMA that matches their records.
 */
export interface Middleware {
  readonly name: string;
  /** Only these streams pass through it (all when undefined), by the name they have when they reach it. */
  readonly streams?: readonly string[] | undefined;
  /** True if its transformSchema may give the stream a new name (rename_stream). */
  readonly renamesStream?: boolean;
  transformSchema?(shape: StreamShape): StreamShape | Promise<StreamShape>;
  /** Records it needs in flight at once (a batch step gathering batches): the run's window holds at least this many. */
  readonly inFlightRecords?: number;
  /** Works on one record (the row plane); absent for a step that works on Arrow batches only. */
  transform?(record: RecordValue, shape: StreamShape): RecordValue | null | Promise<RecordValue | null>;
  /**
   * Works on one Arrow batch of the stream, columnar (the Arrow plane): returns
   * the batch as the next step gets it, with the columns transformSchema
   * describes. A step with both transforms works on either plane.
   */
  transformArrow?(table: ArrowTable, shape: StreamShape): ArrowTable | Promise<ArrowTable>;
  close?(): Promise<void> | void;
}

/** A middleware as pipelines.toml declares it: a built-in, a module, or a mapper executable. */
export interface MiddlewareSpec {
  readonly type: string;
  readonly [option: string]: unknown;
}
