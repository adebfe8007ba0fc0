import type { LeaseFence } from "./lease-fence.js";
import type {
  AdHocCommands,
  CachedCatalog,
  CheckpointSnapshot,
  DeadLetter,
  DeadLetterFilter,
  DeadLetterGroup,
  NewDeadLetter,
  NextRun,
  RunFailure,
  RunProgress,
  RunRecord,
  RunStatus,
  SavedCheckpoint,
  TargetProgress,
} from "./types.js";

/**
 * The runner's state, as six aggregates. Every implementation (SQLite, the
 * default; memory, for tests; Postgres, for teams) passes the same contract suite
 * (test/runner/state/store-contract.ts). Methods are async so a networked
 * store fits the same shape; the SQLite one answers at once.
 */

/** The newest STATE every target confirmed, per pipeline. */
export interface CheckpointStore {
  getCheckpoint(pipeline: string): Promise<SavedCheckpoint | undefined>;
  /** Every pipeline's checkpoint, by pipeline name (`agora state list`). */
  listCheckpoints(): Promise<SavedCheckpoint[]>;
  /** Sets a checkpoint by hand (`agora state set`); runs use saveCheckpoint. */
  setCheckpoint(pipeline: string, state: unknown, runId?: string): Promise<void>;
  clearCheckpoint(pipeline: string): Promise<boolean>;
  /**
   * Saves a newly confirmed checkpoint together with the run's progress, in
   * one transaction: after a failure inside it, both are as they were.
   */
  saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void>;
  /** The last checkpoint each run of the pipeline saved, newest first (runs that saved none are left out). */
  checkpointHistory(pipeline: string, limit: number): Promise<CheckpointSnapshot[]>;
}

/** The run history. */
export interface RunStore {
  startRun(id: string, pipeline: string): Promise<void>;
  finishRun(
    runId: string,
    status: Exclude<RunStatus, "running">,
    progress: RunProgress,
    failure?: RunFailure,
    targets?: readonly TargetProgress[],
  ): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Newest first, skipping the `offset` newest. */
  listRuns(pipeline: string | undefined, limit: number, offset?: number): Promise<RunRecord[]>;
  countRuns(pipeline: string | undefined): Promise<number>;
  /** Runs left "running" by a runner that died: marked failed so history tells the truth. Returns how many. */
  markAbandonedRuns(pipeline: string): Promise<number>;
}

/** Records rejected by validation, middleware or a target, kept for inspection and replay. */
export interface DeadLetterStore {
  addDeadLetter(entry: NewDeadLetter): Promise<number>;
  /** In id order. */
  listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]>;
  countDeadLetters(filter: DeadLetterFilter): Promise<number>;
  /** The pipeline's dead letters counted by stream, stage, error code and status. */
  groupDeadLetters(pipeline: string): Promise<DeadLetterGroup[]>;
  getDeadLetter(id: number): Promise<DeadLetter | undefined>;
  /** Marks replayed entries done, and failed ones with another attempt, in one transaction. */
  recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): Promise<void>;
  /**
   * Replaces the record a replay sends (the original when the entry has one,
   * the processed one else; an edited original drops the processed copy),
   * and notes the edit in its history. `raw` keeps the record as it arrived.
   */
  editDeadLetter(id: number, record: Record<string, unknown>, detail: string): Promise<void>;
  purgeDeadLetters(filter: DeadLetterFilter): Promise<number>;
}

/** At most one run of a pipeline at a time, across every process sharing the store. */
export interface LeaseStore {
  /** Takes the pipeline's lease for `ttlMs` if it is free, expired, or already this holder's. Atomic. */
  acquireLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Extends a lease this holder has; false if it is no longer its. */
  renewLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Hands a lease from a holder known to be dead to a new one; false if someone else got it first. */
  takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): Promise<boolean>;
  releaseLease(pipeline: string, holder: string): Promise<void>;
  /** Who holds a pipeline's lease now (unexpired), if anyone. */
  leaseHolder(pipeline: string): Promise<string | undefined>;
}

/**
 * Catalogs a tap's `--discover` printed, by a key of what decides them (the
 * tap's command, config and version), so a run need not discover again.
 */
export interface CatalogCache {
  getCachedCatalog(key: string): Promise<CachedCatalog | undefined>;
  /** Stores (or replaces) the catalog under `key`. */
  saveCachedCatalog(key: string, pipeline: string, catalog: unknown): Promise<void>;
}

/**
 * When each scheduled pipeline is due next, shared by every worker on the
 * store, so a schedule fires once across the fleet however many workers
 * watch it.
 */
export interface ScheduleStore {
  getNextRun(pipeline: string): Promise<NextRun | undefined>;
  setNextRun(pipeline: string, next: NextRun): Promise<void>;
}

/** Everything the runner keeps between runs. */
/** What ad hoc runs were, so their dead letters can be replayed without a pipelines.toml. */
export interface AdHocPipelineStore {
  saveAdHocPipeline(pipeline: string, commands: AdHocCommands): Promise<void>;
  getAdHocPipeline(pipeline: string): Promise<AdHocCommands | undefined>;
}

export interface StateStore extends CheckpointStore, RunStore, DeadLetterStore, LeaseStore, CatalogCache, ScheduleStore, AdHocPipelineStore {
  /** Where it lives, for messages: a file path, or "memory". */
  readonly location: string;
  /**
   * The same store, for a run holding `fence`: each write a run makes (its
   * run record, checkpoints, dead letters, replay results, the next due
   * time) is refused with LEASE_LOST unless the pipeline's lease still names
   * the holder, checked in the write's own transaction. Closing the view
   * leaves the store open.
   */
  fencedBy(fence: LeaseFence): StateStore;
  close(): Promise<void>;
}
