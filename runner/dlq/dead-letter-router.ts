import { maskSecrets, stringifyJson } from "../../protocol/index.js";
import { countOf, streamTable } from "../pipeline/stream-counters.js";
import { DataError, type AgoraError, type Logger } from "../../protocol/index.js";
import type { ErrorPolicy } from "../pipeline/types.js";
import type { StoreWrites } from "../pipeline/store-writes.js";
import type { DeadLetterStore } from "../state/interfaces.js";
import type { NewDeadLetter } from "../state/types.js";

export type RejectedRecord = Omit<NewDeadLetter, "pipeline" | "runId" | "checkpoint">;

/** The record a rejection is about, short and with secrets masked, so an error says which record it was. */
function recordExcerpt(rejected: RejectedRecord): string {
  const record = rejected.original ?? rejected.processed;
  let text: string;
  try {
    text = stringifyJson(record);
  } catch {
    text = String(record);
  }
  return maskSecrets(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}

/**
 * Applies a pipeline's error policy to rejected records: `dlq` stores them
 * (with the checkpoint of the moment, through the run's ordered writes) and goes on, `skip` counts them and
 * goes on, `fail` returns the error that stops the run.
 */
export class DeadLetterRouter {
  deadLettered = 0;
  skipped = 0;
  readonly byStream: Record<string, number> = streamTable<number>();
  /** Records a target rejected (stage sink_write), whatever the policy: sent, but not written. */
  readonly sinkByStream: Record<string, number> = streamTable<number>();
  private warnedSkip = new Set<string>();

  constructor(
    private readonly policy: ErrorPolicy,
    private readonly store: DeadLetterStore,
    private readonly writes: StoreWrites,
    private readonly pipeline: string,
    private readonly runId: string,
    private readonly checkpoint: () => unknown,
    private readonly logger: Logger,
  ) {}

  /** Returns an error to stop the run with, under the `fail` policy; otherwise undefined. */
  reject(rejected: RejectedRecord, where: { line?: number | undefined; connector?: string | undefined } = {}): AgoraError | undefined {
    if (rejected.stage === "sink_write") this.sinkByStream[rejected.stream] = countOf(this.sinkByStream, rejected.stream) + 1;
    const location = `stream ${rejected.stream}${where.line === undefined ? "" : `, line ${where.line}`}`;
    if (this.policy === "fail") {
      return new DataError(rejected.errorCode, `record rejected at ${rejected.stage}: ${rejected.errorMessage}; the record: ${recordExcerpt(rejected)}`, {
        where: {
          stream: rejected.stream,
          ...(where.line === undefined ? {} : { line: where.line }),
          ...(where.connector === undefined ? {} : { connector: where.connector }),
        },
        hint: 'Fix the record or the schema; or set on_error = "dlq" to keep the pipeline going and replay it later.',
      });
    }
    this.byStream[rejected.stream] = countOf(this.byStream, rejected.stream) + 1;
    if (this.policy === "skip") {
      this.skipped += 1;
      if (!this.warnedSkip.has(rejected.stream)) {
        this.warnedSkip.add(rejected.stream);
        this.logger.warn(`skipping rejected records of ${location}: ${rejected.errorMessage} (on_error = "skip"; further ones are only counted)`);
      }
      return undefined;
    }
    // The error text is masked; the record is kept as it came (a replay must send it unchanged).
    const entry = { ...rejected, errorMessage: maskSecrets(rejected.errorMessage), pipeline: this.pipeline, runId: this.runId, checkpoint: this.checkpoint() };
    this.writes.add(() => this.store.addDeadLetter(entry));
    this.deadLettered += 1;
    return undefined;
  }
}
