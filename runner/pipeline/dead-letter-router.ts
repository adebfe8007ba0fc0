import { maskSecrets, stringifyJson } from "../../protocol/index.js";
import type { StreamCounters } from "./stream-counters.js";
import { DataError, type AgoraError, type DeadLetterMessage, type Logger } from "../../protocol/index.js";
import type { ErrorPolicy } from "../definition.js";
import type { RejectedRecord } from "../ports.js";
import type { StoreWrites } from "./store-writes.js";
import type { DeadLetterStore } from "../state/interfaces.js";

/** A record the tap itself rejected (its DEAD_LETTER message), with the stream's schema. */
export function tapDeadLetter(message: DeadLetterMessage, schema: Pick<RejectedRecord, "schema" | "keyProperties">): RejectedRecord {
  const { stream, error, record, raw, location } = message;
  return { stream, stage: "source", errorCode: error.code, errorMessage: error.message, original: record, raw, location, ...schema };
}

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
  private warnedSkip = new Set<string>();

  constructor(
    private readonly policy: ErrorPolicy,
    private readonly store: DeadLetterStore,
    private readonly writes: StoreWrites,
    private readonly pipeline: string,
    private readonly runId: string,
    /** The checkpoint of the moment, stored with each dead letter (CheckpointKeeper). */
    private readonly checkpoint: { readonly value: unknown },
    /** Rejections per stream, counted whatever the policy: by any stage but under fail, and by a target (its records were sent, not written). */
    private readonly counts: { readonly rejected: StreamCounters; readonly rejectedBySink: StreamCounters },
    private readonly logger: Logger,
  ) {}

  /** Returns an error to stop the run with, under the `fail` policy; otherwise undefined. */
  reject(rejected: RejectedRecord, where: { line?: number | undefined; connector?: string | undefined; byTarget?: boolean } = {}): AgoraError | undefined {
    // A target's rejection (at its write, or its validation of a forwarded record): the record was sent, and not written.
    if (rejected.stage === "sink_write" || where.byTarget === true) this.counts.rejectedBySink.add(rejected.stream);
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
    this.counts.rejected.add(rejected.stream);
    if (this.policy === "skip") {
      this.skipped += 1;
      if (!this.warnedSkip.has(rejected.stream)) {
        this.warnedSkip.add(rejected.stream);
        this.logger.warn(`skipping rejected records of ${location}: ${rejected.errorMessage} (on_error = "skip"; further ones are only counted)`);
      }
      return undefined;
    }
    // The error text is masked; the record is kept as it came (a replay must send it unchanged).
    const entry = {
      ...rejected,
      errorMessage: maskSecrets(rejected.errorMessage),
      pipeline: this.pipeline,
      runId: this.runId,
      checkpoint: this.checkpoint.value,
    };
    this.writes.add(() => this.store.addDeadLetter(entry));
    this.deadLettered += 1;
    return undefined;
  }
}
