import { AgoraError } from "../../protocol/index.js";
import type { ArrowTable, Middleware, RecordValue, StreamShape } from "./types.js";

export type ChainResult =
  | { readonly kind: "record"; readonly record: RecordValue; readonly changed: boolean }
  | { readonly kind: "dropped" }
  | { readonly kind: "failed"; readonly step: string; readonly code: string; readonly message: string };

function failure(step: string, error: unknown): ChainResult {
  if (error instanceof AgoraError) return { kind: "failed", step, code: error.code, message: error.message };
  return { kind: "failed", step, code: "MIDDLEWARE_FAILED", message: error instanceof Error ? error.message : String(error) };
}

/**
 * A pipeline's middleware, applied in order to each record. Synchronous
 * middleware costs no promise; the first step that returns one switches the
 * rest of that record's chain to async. A throw (or rejection) becomes a
 * "failed" result naming the step, never an exception.
 */
export class MiddlewareChain {
  /** Per stream, the shape entering each step (index i) and leaving the chain (last). */
  private readonly shapes = new Map<string, StreamShape[]>();

  constructor(readonly steps: readonly Middleware[]) {}

  get isEmpty(): boolean {
    return this.steps.length === 0;
  }

  private applies(step: Middleware, stream: string): boolean {
    return step.streams === undefined || step.streams.includes(stream);
  }

  /** The steps that work on a stream's records (by its name as the tap sends it). */
  stepsFor(stream: string): readonly Middleware[] {
    return this.steps.filter((step) => this.applies(step, stream));
  }

  /**
   * Registers a stream's schema from the tap; returns the shape targets
   * should see (a promise only when a step's schema transform is async, as
   * a mapper's is).
   */
  setSchema(shape: StreamShape): StreamShape | Promise<StreamShape> {
    const shapes = [shape];
    const step = (index: number, current: StreamShape): StreamShape | Promise<StreamShape> => {
      for (let at = index; at < this.steps.length; at += 1) {
        const middleware = this.steps[at] as Middleware;
        // A step sees the stream under the name it has there: after a rename_stream, the new one.
        if (middleware.transformSchema !== undefined && this.applies(middleware, current.stream)) {
          const next = middleware.transformSchema(current);
          if (next instanceof Promise) {
            return next.then((resolved) => {
              shapes.push(resolved);
              return step(at + 1, resolved);
            });
          }
          current = next;
        }
        shapes.push(current);
      }
      this.shapes.set(shape.stream, shapes);
      return current;
    };
    return step(0, shape);
  }

  /** The steps that rename streams, alone: for records that skip the rest of the chain (a replay of what a target refused). */
  renamesOnly(): MiddlewareChain {
    return new MiddlewareChain(this.steps.filter((step) => step.renamesStream === true));
  }

  /** The shape targets see for a stream (after every step). */
  outputShape(stream: string): StreamShape | undefined {
    return this.shapes.get(stream)?.at(-1);
  }

  process(record: RecordValue, stream: string): ChainResult | Promise<ChainResult> {
    const shapes = this.shapes.get(stream);
    return this.continueFrom(0, record, stream, shapes, false);
  }

  private continueFrom(
    start: number,
    record: RecordValue,
    stream: string,
    shapes: StreamShape[] | undefined,
    changed: boolean,
  ): ChainResult | Promise<ChainResult> {
    let current = record;
    for (let index = start; index < this.steps.length; index += 1) {
      const step = this.steps[index] as Middleware;
      const shape = shapes?.[index] ?? { stream, schema: {}, keyProperties: [] };
      if (!this.applies(step, shape.stream)) continue;
      let output: RecordValue | null | Promise<RecordValue | null>;
      if (step.transform === undefined) {
        return failure(
          step.name,
          new AgoraError(
            "MIDDLEWARE_ARROW_ONLY",
            'works on Arrow batches only, and this record came as a RECORD message (configure the tap\'s batch_config with format = "arrow")',
          ),
        );
      }
      try {
        output = step.transform(current, shape);
      } catch (error) {
        return failure(step.name, error);
      }
      if (output instanceof Promise) {
        return output.then(
          (resolved) => (resolved === null ? { kind: "dropped" as const } : this.continueFrom(index + 1, resolved, stream, shapes, true)),
          (error: unknown) => failure(step.name, error),
        );
      }
      if (output === null) return { kind: "dropped" };
      changed ||= output !== current;
      current = output;
    }
    return { kind: "record", record: current, changed };
  }

  /**
   * Runs an Arrow batch of `stream` through every step that applies to it,
   * each given the stream's shape there. Every step must work on Arrow
   * batches (see chainWorksOnArrow); a step's error is thrown, naming it.
   */
  async processArrow(table: ArrowTable, stream: string): Promise<ArrowTable> {
    const shapes = this.shapes.get(stream);
    let current = table;
    for (let index = 0; index < this.steps.length; index += 1) {
      const step = this.steps[index] as Middleware;
      const shape = shapes?.[index] ?? { stream, schema: {}, keyProperties: [] };
      if (!this.applies(step, shape.stream)) continue;
      if (step.transformArrow === undefined) throw new AgoraError("MIDDLEWARE_ROWS_ONLY", `${step.name} works on rows only`);
      try {
        current = await step.transformArrow(current, shape);
      } catch (error) {
        if (error instanceof AgoraError) throw error;
        throw new AgoraError("MIDDLEWARE_FAILED", `${step.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    return current;
  }

  async close(): Promise<void> {
    for (const step of this.steps) await step.close?.();
  }
}
