import type { Logger } from "../../protocol/index.js";
import { replayDeadLetters, type ReplayMode, type ReplaySummary } from "../dlq/replay.js";
import { withLease } from "../scheduler/lease.js";
import type { StateStore } from "../state/interfaces.js";
import type { DeadLetterStage } from "../state/types.js";
import type { RunEvents } from "./run-events.js";
import { runPipeline } from "./run-pipeline.js";
import type { StopRequests } from "./stop-requests.js";
import type { PipelineDefinition, RunResult } from "./types.js";

/** What to do with a pipeline: sync it from its tap, or replay its dead letters. */
export type PipelineJob =
  | { readonly kind: "sync"; readonly events?: RunEvents; readonly fullRefresh?: boolean }
  | { readonly kind: "replay"; readonly mode: ReplayMode; readonly stage?: DeadLetterStage | undefined; readonly ids?: readonly number[] | undefined };

export interface ExecuteOptions {
  readonly store: StateStore;
  readonly logger: Logger;
  /** This process as a lease holder (holderId()). */
  readonly holder: string;
  readonly leaseSeconds: number;
  /** Stop requests (signals): the first stops the run the safe way, a second kills everything. */
  readonly stop?: StopRequests;
}

export type Execution =
  /** Another process holds the pipeline's lease: nothing ran. */
  | { readonly kind: "busy"; readonly holder: string | undefined }
  | { readonly kind: "synced"; readonly result: RunResult }
  | { readonly kind: "replayed"; readonly summary: ReplaySummary };

/**
 * The one way a pipeline runs: under its lease in the state store (so two
 * processes never write to its targets at once), as a sync or a dead-letter
 * replay. `agora run`, `agora worker` and `agora dlq replay` all come here.
 */
export async function executePipeline(definition: PipelineDefinition, job: PipelineJob, options: ExecuteOptions): Promise<Execution> {
  const { store, logger, stop } = options;
  const leased = await withLease(store, definition.name, options.holder, options.leaseSeconds, async (): Promise<Execution> => {
    if (job.kind === "sync") {
      return { kind: "synced", result: await runPipeline(definition, { store, logger, ...(stop === undefined ? {} : { stop }), ...(job.events === undefined ? {} : { events: job.events }), ...(job.fullRefresh === true ? { fullRefresh: true } : {}) }) };
    }
    return { kind: "replayed", summary: await replayDeadLetters(definition, store, { mode: job.mode, stage: job.stage, ids: job.ids, logger, ...(stop === undefined ? {} : { stop }) }) };
  });
  return leased.ran ? leased.value : { kind: "busy", holder: leased.holder };
}
