import { asAgoraError, type AgoraError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { RunStore } from "../state/interfaces.js";
import type { RunFailure, RunProgress, TargetProgress } from "../state/types.js";
import type { RunParts } from "./assemble-run.js";
import { runFailureOf } from "./run-records.js";
import type { RunResult, TargetBatchCounts } from "./types.js";
import type { PipelineDefinition } from "../definition.js";

/** How a run ended, before it is recorded. */
export interface RunEnding {
  readonly runId: string;
  readonly seconds: number;
  readonly failure: AgoraError | undefined;
  readonly stopSignal: NodeJS.Signals | undefined;
}

/** The failure to record: the run's error, or its stop by a signal. */
function failureOf(ending: RunEnding): RunFailure | undefined {
  if (ending.failure !== undefined) return runFailureOf(ending.failure);
  if (ending.stopSignal !== undefined) return { code: RunnerCodes.RUN_INTERRUPTED, kind: "fatal", message: `stopped by ${ending.stopSignal}` };
  return undefined;
}

/** The batch lane's counts per target, when the tap sent a BATCH. */
function batchCounts(definition: PipelineDefinition, parts: RunParts): { batches?: TargetBatchCounts[] } {
  const counts = parts.batches.lane.counts;
  if (counts.every((count) => count.nativeBatches + count.downgradedBatches === 0)) return {};
  return { batches: counts.map((count, index) => ({ target: definition.targets[index]?.name ?? String(index), ...count })) };
}

/**
 * Records how a run ended in the store, and what it did: per stream and per
 * target, written (confirmed) and unconfirmed apart. A store that cannot
 * write (a full disk) does not hide how the run itself went: the run's own
 * failure stays the one reported (a run that went well is failed by the
 * store's), and the next run marks this one failed when it finds it still
 * "running".
 */
export async function recordRun(definition: PipelineDefinition, parts: RunParts, ending: RunEnding, store: RunStore): Promise<RunResult> {
  const { counts, checkpoint, router } = parts;
  const status = ending.failure !== undefined ? "failed" : ending.stopSignal !== undefined ? "stopped" : "succeeded";
  // Written is what every target confirmed; what they were sent after their last confirmation is counted apart.
  const progress = counts.final(checkpoint.writtenAtCheckpoint);
  const failure = failureOf(ending);
  const targets = counts.targets.report(
    definition.targets.map((target) => target.name),
    (index) => checkpoint.sentConfirmedBy(index),
  );
  const recorded = await finishRun(store, ending, status, progress, failure, targets);
  return {
    runId: ending.runId,
    pipeline: definition.name,
    status,
    progress,
    targets,
    recordsRead: counts.read.total,
    recordsWritten: Object.values(progress).reduce((sum, stream) => sum + stream.written, 0),
    recordsUnconfirmed: Object.values(progress).reduce((sum, stream) => sum + (stream.unconfirmed ?? 0), 0),
    deadLettered: router.deadLettered,
    skipped: router.skipped,
    checkpointAdvanced: checkpoint.advanced,
    ...(checkpoint.unsaved ? { checkpointUnsaved: true } : {}),
    ...batchCounts(definition, parts),
    seconds: ending.seconds,
    failure,
    signal: ending.stopSignal,
    ...recorded,
  };
}

async function finishRun(
  store: RunStore,
  ending: RunEnding,
  status: RunResult["status"],
  progress: RunProgress,
  failure: RunFailure | undefined,
  targets: readonly TargetProgress[],
): Promise<Partial<RunResult>> {
  try {
    await store.finishRun(ending.runId, status, progress, failure, targets);
    return {};
  } catch (error) {
    // A lease lost is the run's end as it is: the other process's record of this run stands.
    const stored = asAgoraError(error);
    const problem =
      ending.failure ?? (stored.code === RunnerCodes.LEASE_LOST ? stored : stored.withText((text) => `${text}; the run could not be recorded as ${status}`));
    return { status: "failed", failure: runFailureOf(problem) };
  }
}
