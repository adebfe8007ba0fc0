import type { RunFailure, RunProgress, RunStatus, TargetProgress } from "../state/types.js";

export interface RunResult {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: Exclude<RunStatus, "running">;
  readonly progress: RunProgress;
  readonly recordsRead: number;
  /** Records every target confirmed durable (by a STATE), less those a target rejected. */
  readonly recordsWritten: number;
  /** Records sent to the targets after the last STATE they all confirmed (see StreamProgress.unconfirmed). */
  readonly recordsUnconfirmed?: number;
  readonly deadLettered: number;
  readonly skipped: number;
  /** Whether the run saved a checkpoint. */
  readonly checkpointAdvanced: boolean;
  /** Set when the last STATE every target confirmed could not be saved (the state store failed): the saved checkpoint is an earlier one. */
  readonly checkpointUnsaved?: true;
  readonly seconds: number;
  /** Why a failed or stopped run ended: its one line (masked), code and kind, what a scheduler decides on. */
  readonly failure: RunFailure | undefined;
  /** The signal that stopped the run, if one did. */
  readonly signal: NodeJS.Signals | undefined;
  /** Per target: records sent, written (confirmed), rejected and unconfirmed. */
  readonly targets?: readonly TargetProgress[];
  /** Per target, BATCH messages and their rows received as batches (native) and as RECORDs (downgraded); absent when the tap sent none. */
  readonly batches?: readonly TargetBatchCounts[];
}

export interface TargetBatchCounts {
  readonly target: string;
  readonly nativeBatches: number;
  readonly nativeRows: number;
  readonly downgradedBatches: number;
  readonly downgradedRows: number;
}
