import type { JsonSchema } from "../../protocol/index.js";

export type RecordValue = { [key: string]: unknown };

/** What a middleware sees of the stream a record belongs to. */
export interface StreamShape {
  readonly stream: string;
  readonly schema: JsonSchema;
  readonly keyProperties: readonly string[];
}

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
  transform(record: RecordValue, shape: StreamShape): RecordValue | null | Promise<RecordValue | null>;
  close?(): Promise<void> | void;
}

/** A middleware as pipelines.toml declares it: a built-in, a module, or a mapper executable. */
export interface MiddlewareSpec {
  readonly type: string;
  readonly [option: string]: unknown;
}
