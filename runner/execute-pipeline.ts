import type { Logger } from "../protocol/index.js";
import { replayDeadLetters, type ReplayMode, type ReplaySummary } from "./dlq/replay.js";
import { busyError, DEFAULT_LEASE_SECONDS, holderId, withLease } from "./scheduler/lease.js";
import type { ScheduleStore, StateStore } from "./state/interfaces.js";
import type { DeadLetterStage } from "./state/types.js";
import type { RunEvents } from "./pipeline/run-events.js";
import { runPipeline } from "./pipeline/run-pipeline.js";
import { StopRequests } from "./pipeline/stop-requests.js";
import type { RunResult } from "./pipeline/types.js";
import type { PipelineDefinition } from "./definition.js";

/** Sync the pipeline from its tap. */
export interface SyncJob {
  readonly kind: "sync";
  readonly events?: RunEvents;
  readonly fullRefresh?: boolean;
  /** Run the tap's --discover again instead of using the cached catalog. */
  readonly refreshCatalog?: boolean;
  /** A scheduled run: whether it is still due, and what is due after it, both decided under the lease. */
  readonly slot?: RunSlot;
}

/**
 * A scheduled run's place in the fleet's schedule. Both calls happen while
 * this process holds the pipeline's lease, so of several workers watching
 * one schedule exactly one runs each due time.
 */
export interface RunSlot {
  /** Before the run: undefined if it is due now, else when it is due (null: never again). */
  notDueUntil(): Promise<Date | null | undefined>;
  /** After the run: records when it is due next, in `store` (the run's, fenced by its lease). */
  settle(result: RunResult, store: ScheduleStore): Promise<void>;
}

/** Another worker already ran this due time: nothing ran. */
export interface NotDue {
  readonly kind: "not_due";
  /** When it is due next (null: never again). */
  readonly next: Date | null;
}

/** Replay the pipeline's pending dead letters. */
export interface ReplayJob {
  readonly kind: "replay";
  readonly mode: ReplayMode;
  readonly stage?: DeadLetterStage | undefined;
  readonly ids?: readonly number[] | undefined;
}

export type PipelineJob = SyncJob | ReplayJob;

export interface ExecuteOptions {
  readonly store: StateStore;
  readonly logger: Logger;
  /** This process as a lease holder (holderId()). */
  readonly holder: string;
  readonly leaseSeconds: number;
  /** Stop requests (signals): the first stops the run the safe way, a second kills everything. */
  readonly stop?: StopRequests;
}

/** Another process holds the pipeline's lease: nothing ran. */
export interface Busy {
  readonly kind: "busy";
  readonly holder: string | undefined;
}

export type Execution =
  | Busy
  | NotDue
  | { readonly kind: "synced"; readonly result: RunResult }
  | { readonly kind: "replayed"; readonly summary: ReplaySummary };

/**
 * The one way a pipeline runs: under its lease in the state store (so two
 * processes never write to its targets at once), as a sync or a dead-letter
 * replay. `agora run`, `agora worker` and `agora dlq replay` all come here.
 */
export function executePipeline(
  definition: PipelineDefinition,
  job: SyncJob,
  options: ExecuteOptions,
): Promise<Busy | NotDue | { readonly kind: "synced"; readonly result: RunResult }>;
export function executePipeline(
  definition: PipelineDefinition,
  job: ReplayJob,
  options: ExecuteOptions,
): Promise<Busy | { readonly kind: "replayed"; readonly summary: ReplaySummary }>;
export async function executePipeline(definition: PipelineDefinition, job: PipelineJob, options: ExecuteOptions): Promise<Execution> {
  const { logger } = options;
  const leased = await withLease(options.store, definition.name, options.holder, options.leaseSeconds, async (lease): Promise<Execution> => {
    // Every write of the job stands on the lease: once another process holds it, the store refuses them (LEASE_LOST).
    const store = options.store.fencedBy({ pipeline: definition.name, holder: options.holder });
    // A signal stops the job the safe way; so does the lease found lost, for a replay (a sync fails with LEASE_LOST).
    const stop = new StopRequests();
    const unsubscribe = [
      options.stop?.subscribe((signal) => stop.request(signal)),
      job.kind === "replay" ? lease.onLost(() => stop.request("SIGTERM")) : undefined,
    ];
    try {
      if (job.kind === "sync") {
        const notDueUntil = await job.slot?.notDueUntil();
        if (notDueUntil !== undefined) return { kind: "not_due", next: notDueUntil };
        const result = await runPipeline(definition, {
          store,
          logger,
          stop,
          lease,
          fence: { pipeline: definition.name, holder: options.holder },
          ...(job.events === undefined ? {} : { events: job.events }),
          ...(job.fullRefresh === true ? { fullRefresh: true } : {}),
          ...(job.refreshCatalog === true ? { refreshCatalog: true } : {}),
        });
        await job.slot?.settle(result, store);
        return { kind: "synced", result };
      }
      return { kind: "replayed", summary: await replayDeadLetters(definition, store, { mode: job.mode, stage: job.stage, ids: job.ids, logger, stop }) };
    } finally {
      for (const release of unsubscribe) release?.();
    }
  });
  return leased.ran ? leased.value : { kind: "busy", holder: leased.holder };
}

/** How a run asked for by hand holds its lease: for the project's lease_seconds, else the default. */
export type ExecuteNowOptions = Omit<ExecuteOptions, "holder" | "leaseSeconds"> & { readonly leaseSeconds?: number | undefined };

/**
 * A run asked for by hand (`agora run`, `agora dlq replay`): this process
 * holds the lease (for the project's `[worker] lease_seconds`, else the
 * default), and a lease held by another process is an error (PIPELINE_BUSY)
 * rather than a wait.
 */
export function executeNow(definition: PipelineDefinition, job: SyncJob, options: ExecuteNowOptions): Promise<RunResult>;
export function executeNow(definition: PipelineDefinition, job: ReplayJob, options: ExecuteNowOptions): Promise<ReplaySummary>;
export async function executeNow(definition: PipelineDefinition, job: PipelineJob, options: ExecuteNowOptions): Promise<RunResult | ReplaySummary> {
  const leased = { ...options, holder: holderId(), leaseSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS };
  const execution: Execution = job.kind === "sync" ? await executePipeline(definition, job, leased) : await executePipeline(definition, job, leased);
  if (execution.kind === "busy") throw busyError(definition.name, execution.holder);
  // Only a scheduled job (a slot) can be not due; executeNow never gives one.
  if (execution.kind === "not_due") throw new Error("a run asked for now cannot be not due");
  return execution.kind === "synced" ? execution.result : execution.summary;
}
