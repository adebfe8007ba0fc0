import type { DeadLetterMessage } from "../../protocol/index.js";
import type { DeadLetterRouter } from "./dead-letter-router.js";
import type { Activity } from "./activity.js";
import type { CheckpointKeeper } from "./checkpoint-keeper.js";
import type { RejectedRecord, Rejections, RunControl, TargetReports } from "../ports.js";
import type { RunCounts } from "./run-counts.js";
import type { RunEvents } from "./run-events.js";
import type { StreamDirectory } from "./stream-directory.js";
import type { PipelineDefinition } from "../definition.js";

/** The parts of a run its reports reach. */
export interface RunReportParts {
  readonly checkpoint: CheckpointKeeper;
  readonly router: DeadLetterRouter;
  readonly events: RunEvents;
  readonly streams: StreamDirectory;
  readonly counts: RunCounts;
  readonly activity: Activity;
  readonly control: RunControl;
}

/**
 * What comes back to a run: targets' confirmations (to the checkpoint) and
 * their rejected records, and records rejected on the way (validation, a
 * middleware, the tap's own dead letters), each routed by the pipeline's
 * on_error through the DeadLetterRouter.
 */
export class RunReports implements TargetReports, Rejections {
  constructor(
    private readonly definition: PipelineDefinition,
    private readonly parts: RunReportParts,
  ) {}

  isSentState(value: unknown): boolean {
    return this.parts.checkpoint.recognises(value);
  }

  confirmed(target: number, value: unknown): boolean {
    this.parts.activity.touch();
    return this.parts.checkpoint.confirm(target, value);
  }

  rejected(target: number, message: DeadLetterMessage): void {
    const { streams, counts, checkpoint } = this.parts;
    const stream = streams.sourceStream(message.stream);
    const name = this.definition.targets[target]?.name ?? "target";
    counts.targets.rejected(target);
    // Under on_error = "fail" the record is kept nowhere: the checkpoint must not pass it.
    if (this.definition.onError === "fail") checkpoint.holdBefore(target);
    // A forwarded record the target found invalid against the SCHEMA is what the runner's own validation would have made of it.
    const validation = message.stage === "validate";
    const rejected: RejectedRecord = validation
      ? { stream, stage: "validate", errorCode: message.error.code, errorMessage: message.error.message, original: message.record, raw: message.raw }
      : { stream, stage: "sink_write", errorCode: message.error.code, errorMessage: `${name}: ${message.error.message}`, processed: message.record };
    this.reject({ ...rejected, ...streams.schemaOf(stream) }, message.location?.line, name, true);
  }

  reject(rejected: RejectedRecord, line: number | undefined, connector?: string, byTarget = false): void {
    this.parts.events.emit("rejected", rejected.stream, rejected.stage);
    const error = this.parts.router.reject(rejected, { line, connector: connector ?? this.definition.tap.name, byTarget });
    if (error !== undefined) this.parts.control.fail(error);
  }
}
