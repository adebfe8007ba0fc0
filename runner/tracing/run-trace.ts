import { context, SpanStatusCode, trace, type Attributes, type Context, type Span } from "@opentelemetry/api";
import { maskSecrets, type Logger } from "../../protocol/index.js";
import type { CheckpointStore } from "../state/interfaces.js";

const tracer = () => trace.getTracer("agora");

/**
 * The spans of one run: `agora.run` (pipeline and run id as attributes)
 * and, under it, one span per stage: the tap's start, the data path, each
 * target, each checkpoint save, the end. Spans are per run and per stage,
 * never per record; with tracing off they are the API's no-ops.
 */
export class RunTrace {
  private readonly root: Span;
  private readonly parent: Context;
  /** Each target's span, from its start to its exit. */
  private targetSpans: Array<Span | undefined> = [];

  constructor(pipeline: string, runId: string) {
    this.root = tracer().startSpan("agora.run", { attributes: { "agora.pipeline": pipeline, "agora.run_id": runId } });
    this.parent = trace.setSpan(context.active(), this.root);
  }

  /** The run's trace id, for logs; undefined when tracing is off. */
  get traceId(): string | undefined {
    return this.root.isRecording() ? this.root.spanContext().traceId : undefined;
  }

  /** Starts a stage's span; the caller ends it. */
  stage(name: string, attributes: Attributes = {}): Span {
    return tracer().startSpan(name, { attributes }, this.parent);
  }

  /** Runs `work` in a stage's span, ended (and marked failed on a throw) when it settles. */
  async around<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
    const span = this.stage(name, attributes);
    try {
      return await work(span);
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Starts a span for each target, named. */
  targetsStarted(names: readonly string[]): void {
    this.targetSpans = names.map((name) => this.stage("agora.target", { "agora.target": name }));
  }

  /** Ends target `index`'s span with how it exited (`problem`: why that failed the run). */
  targetExited(index: number, exit: { readonly code: number | undefined; readonly signal: string | undefined }, problem: unknown): void {
    const span = this.targetSpans[index];
    if (span === undefined) return;
    span.setAttributes({ "agora.exit_code": exit.code ?? -1, ...(exit.signal === undefined ? {} : { "agora.signal": exit.signal }) });
    if (problem !== undefined) failed(span, problem);
    span.end();
    this.targetSpans[index] = undefined;
  }

  /** Ends the run's span with its outcome (and the span of any target still open). */
  end(status: string, failure?: { code: string; message: string }): void {
    for (const span of this.targetSpans) span?.end();
    this.root.setAttribute("agora.status", status);
    if (failure !== undefined) {
      this.root.setAttribute("agora.error_code", failure.code);
      this.root.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    }
    this.root.end();
  }
}

/** Marks a span failed with the error's one line (never a record's content). */
export function failed(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: maskSecrets(error instanceof Error ? error.message : String(error)) });
}

/** A checkpoint store whose saves are spans of the run (`agora.checkpoint.save`). */
export function tracedCheckpoints(store: CheckpointStore, run: RunTrace): CheckpointStore {
  return {
    getCheckpoint: (pipeline) => store.getCheckpoint(pipeline),
    listCheckpoints: () => store.listCheckpoints(),
    setCheckpoint: (pipeline, state, runId) => store.setCheckpoint(pipeline, state, runId),
    clearCheckpoint: (pipeline) => store.clearCheckpoint(pipeline),
    checkpointHistory: (pipeline, limit) => store.checkpointHistory(pipeline, limit),
    saveCheckpoint: (runId, pipeline, state, progress) =>
      run.around("agora.checkpoint.save", { "agora.records_written": Object.values(progress).reduce((sum, stream) => sum + stream.written, 0) }, () =>
        store.saveCheckpoint(runId, pipeline, state, progress),
      ),
  };
}

/** The runner's log lines of a traced run end with its trace id, so logs and traces meet. */
export function withTraceId(logger: Logger, traceId: string | undefined): Logger {
  if (traceId === undefined) return logger;
  const tagged = (message: string): string => `${message} trace_id=${traceId}`;
  return {
    level: logger.level,
    debug: (message) => logger.debug(tagged(message)),
    info: (message) => logger.info(tagged(message)),
    warn: (message) => logger.warn(tagged(message)),
    error: (message) => logger.error(tagged(message)),
  };
}
