import type { Logger } from "../../protocol/index.js";
import type { SqliteStateStore } from "../state/sqlite-state-store.js";
import type { RunProgress } from "../state/types.js";
import { CheckpointTracker } from "./checkpoint-tracker.js";

/**
 * A run's checkpoint: numbers the STATEs forwarded, takes the targets'
 * confirmations, and saves the newest STATE every target confirmed,
 * together with the run's progress, in one transaction of the state store.
 */
export class CheckpointKeeper {
  private readonly tracker: CheckpointTracker;
  /** The pipeline's checkpoint as it stands: the saved one at start, then each one confirmed. */
  value: unknown;
  advanced = false;
  /** Records per stream every target had made durable at the last confirmed checkpoint. */
  writtenAtCheckpoint: Readonly<Record<string, number>> = {};
  private warnedUnknown = false;

  constructor(
    targetCount: number,
    private readonly store: SqliteStateStore,
    private readonly pipeline: string,
    private readonly runId: string,
    private readonly logger: Logger,
  ) {
    this.tracker = new CheckpointTracker(targetCount);
    this.value = store.getCheckpoint(pipeline)?.state;
  }

  /** A STATE is about to be forwarded; `delivered` counts the records sent before it. */
  forward(value: unknown, delivered: Readonly<Record<string, number>>): void {
    this.tracker.forward(value, delivered);
  }

  /** A target echoed a STATE; saves the checkpoint when every target is now past the last one. */
  confirm(target: number, targetName: string, value: unknown, progress: (written: Readonly<Record<string, number>>) => RunProgress): void {
    const confirmed = this.tracker.confirm(target, value);
    if (confirmed === "unknown") {
      if (!this.warnedUnknown) this.logger.warn(`${targetName} confirmed a STATE the runner did not send it; ignored`);
      this.warnedUnknown = true;
      return;
    }
    if (confirmed === undefined) return;
    this.value = confirmed.value;
    this.advanced = true;
    this.writtenAtCheckpoint = confirmed.delivered;
    this.store.saveCheckpoint(this.runId, this.pipeline, confirmed.value, progress(confirmed.delivered));
  }

  /** After a run without failure: says so if the targets did not confirm everything forwarded. */
  warnIfUnconfirmed(): void {
    if (this.tracker.forwardedCount === 0 || this.tracker.confirmedSequence >= this.tracker.forwardedCount) return;
    this.logger.warn(
      this.tracker.confirmedSequence === 0
        ? `pipeline ${this.pipeline}: no target confirmed any STATE, so the checkpoint did not move (targets must echo STATE once records are written)`
        : `pipeline ${this.pipeline}: the targets did not confirm the last STATE; the checkpoint stays at the last one they all confirmed`,
    );
  }
}
