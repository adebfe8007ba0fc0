import { EventEmitter } from "node:events";
import type { DeadLetterStage } from "../state/types.js";
import type { CheckpointListener } from "../ports.js";
import type { RunPhase } from "./run-phase.js";

/** What a run publishes as it goes. Displays, metrics and tracing subscribe; the run knows none of them. */
export interface RunEventMap {
  /** Records read from the tap so far, per stream and in all (after each chunk of the tap's output). */
  progress: [read: Readonly<Record<string, number>>, total: number];
  /** Every target confirmed a newer STATE; it is saved as the checkpoint. `written` counts records per stream up to it. */
  checkpoint: [state: unknown, written: Readonly<Record<string, number>>];
  /** A record was rejected, at this stage, for this stream. */
  rejected: [stream: string, stage: DeadLetterStage];
  /** The tap expects about `rows` records of a stream, or of the whole sync (stream undefined): an Airbyte source's TRACE ESTIMATE. */
  estimate: [stream: string | undefined, rows: number];
  /** The run moved to another phase. */
  phase: [phase: RunPhase];
}

/** A run's events, typed; told of each checkpoint as a listener of the run's CheckpointKeeper. */
export class RunEvents extends EventEmitter<RunEventMap> implements CheckpointListener {
  checkpointConfirmed(state: unknown, written: Readonly<Record<string, number>>): void {
    this.emit("checkpoint", state, written);
  }
}
