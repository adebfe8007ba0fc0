import { streamTable } from "./stream-counters.js";
import type { Logger } from "../../protocol/index.js";
import type { CheckpointStore } from "../state/interfaces.js";
import type { RunProgress } from "../state/types.js";
import { CheckpointTracker } from "./checkpoint-tracker.js";
import type { CheckpointListener, StateLedger } from "../ports.js";
import type { StoreWrites } from "./store-writes.js";

/** The run's progress per stream when every target had made `written` durable (RunCounts). */
export interface ProgressSource {
  progressAt(written: Readonly<Record<string, number>>): RunProgress;
}

/**
 * A run's checkpoint: numbers the STATEs forwarded, takes the targets'
 * confirmations, and saves the newest STATE every target confirmed,
 * together with the run's progress, in one transaction of the state store
 * (queued on the run's ordered writes).
 */
export class CheckpointKeeper implements StateLedger {
  private readonly tracker: CheckpointTracker;
  /** The pipeline's checkpoint as it stands: the saved one at start, then each one confirmed. */
  value: unknown;
  advanced = false;
  /** Whether the last checkpoint every target confirmed could not be saved (the store failed): the saved one is older. */
  unsaved = false;
  /** Records per stream every target had made durable at the last confirmed checkpoint. */
  writtenAtCheckpoint: Readonly<Record<string, number>> = streamTable<number>();
  /** A full refresh keeps its newest confirmed checkpoint here until the run has succeeded. */
  private deferred: { readonly value: unknown; readonly progress: RunProgress } | undefined;
  private deferring = false;
  /** Checkpoint saves queued so far: which one is the latest. */
  private savesQueued = 0;
  /** Targets that refused a record no destination and no DLQ holds: what they confirm after it moves nothing. */
  private readonly held = new Set<number>();

  constructor(
    targetCount: number,
    private readonly store: CheckpointStore,
    private readonly writes: StoreWrites,
    private readonly pipeline: string,
    private readonly runId: string,
    private readonly logger: Logger,
    /** The checkpoint saved before this run, if any. */
    saved: unknown,
    /** The run's progress at a checkpoint, saved with it. */
    private readonly progress: ProgressSource,
    /** Told of each STATE forwarded, and of each new checkpoint as it is queued for saving. */
    private readonly listeners: readonly CheckpointListener[] = [],
  ) {
    this.tracker = new CheckpointTracker(targetCount);
    this.value = saved;
  }

  /** A STATE is about to be forwarded; `delivered` counts the records sent before it. Returns its sequence number. */
  forward(value: unknown, delivered: Readonly<Record<string, number>>, sentTo?: readonly number[]): number {
    const sequence = this.tracker.forward(value, delivered, sentTo);
    for (const listener of this.listeners) listener.stateForwarded?.(sequence);
    return sequence;
  }

  /** Records `target` had been sent when it confirmed its latest STATE. */
  sentConfirmedBy(target: number): number {
    return this.tracker.sentConfirmedBy(target);
  }

  /** True if `value` is a STATE value sent to the targets: a target's line equal to it is a bare echo. */
  recognises(value: unknown): boolean {
    return this.tracker.recognises(value);
  }

  /**
   * A target echoed a STATE; saves the checkpoint when every target is now
   * past the last one. False if the value matches nothing sent to it.
   */
  confirm(target: number, value: unknown): boolean {
    if (this.held.has(target)) return this.tracker.recognises(value);
    const confirmed = this.tracker.confirm(target, value);
    if (confirmed === "unknown") return false;
    if (confirmed === undefined) return true;
    this.value = confirmed.value;
    this.writtenAtCheckpoint = confirmed.delivered;
    for (const listener of this.listeners) listener.checkpointConfirmed?.(confirmed.value, confirmed.delivered, confirmed.sequence);
    const snapshot = this.progress.progressAt(confirmed.delivered);
    if (this.deferring) {
      this.deferred = { value: confirmed.value, progress: snapshot };
      return true;
    }
    this.save(confirmed.value, snapshot);
    return true;
  }

  /**
   * `target` refused a record that will be in no destination and no DLQ
   * (on_error = "fail"): the checkpoint stays before it. A target confirms in
   * order, so everything it confirms after saying so comes after the record;
   * a STATE before it that the target had yet to confirm is given up too,
   * which costs only a re-read.
   */
  holdBefore(target: number): void {
    this.held.add(target);
  }

  /**
   * A full refresh: confirmed checkpoints are kept, not saved, until
   * `commitDeferred` at the end of a successful run. A failed or stopped
   * full refresh leaves the saved checkpoint as it was.
   */
  deferSaves(): void {
    this.deferring = true;
  }

  /** The run succeeded: saves the checkpoint a full refresh kept back, if its targets confirmed one. */
  commitDeferred(): void {
    const deferred = this.deferred;
    if (deferred === undefined) return;
    this.deferred = undefined;
    this.save(deferred.value, deferred.progress);
  }

  /** Queues saving a confirmed checkpoint; `advanced` and `unsaved` say how it went once the writes are drained. */
  private save(value: unknown, progress: RunProgress): void {
    const save = ++this.savesQueued;
    this.unsaved = true;
    this.writes.add(async () => {
      await this.store.saveCheckpoint(this.runId, this.pipeline, value, progress);
      this.advanced = true;
      // Only the latest checkpoint queued, once saved, clears it: an earlier save's success says nothing of the ones queued after it.
      if (save === this.savesQueued) this.unsaved = false;
    });
  }

  /** After a run without failure: says so if the targets did not confirm everything forwarded. */
  warnIfUnconfirmed(): void {
    if (this.tracker.forwardedCount === 0 || this.tracker.confirmedSequence >= this.tracker.forwardedCount) return;
    this.logger.warn(
      this.tracker.confirmedSequence === 0
        ? `pipeline ${this.pipeline}: no target confirmed any STATE, so the checkpoint did not move (a target must echo each STATE, as its bare value or a STATE message, once the records before it are written)`
        : `pipeline ${this.pipeline}: the targets did not confirm the last STATE; the checkpoint stays at the last one they all confirmed`,
    );
  }
}
