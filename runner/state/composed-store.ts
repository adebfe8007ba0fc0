import type { AdHocPipelineStore, CatalogCache, CheckpointStore, DeadLetterStore, LeaseStore, RunStore, ScheduleStore, StateStore } from "./interfaces.js";
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

/** A store's parts, one per interface of interfaces.ts, on one connection. */
export interface StoreParts {
  readonly checkpoints: CheckpointStore;
  readonly runs: RunStore;
  readonly deadLetters: DeadLetterStore;
  readonly leases: LeaseStore;
  readonly catalogs: CatalogCache;
  readonly schedules: ScheduleStore;
  readonly adHoc: AdHocPipelineStore;
}

/** What a store's connection does besides its parts: where it is, its fenced views, closing. */
export interface StoreConnection {
  readonly location: string;
  /** The parts again, on a view of the connection whose run writes stand on `fence`. */
  fenced(fence: LeaseFence): StoreParts;
  close(): Promise<void>;
}

/**
 * A StateStore made of its parts: each method goes to the part that owns
 * it. SQLite and Postgres stores are this over their own parts, so adding a
 * store is its parts and its connection.
 */
export class ComposedStateStore implements StateStore {
  constructor(
    private readonly parts: StoreParts,
    private readonly connection: StoreConnection,
    /** A fenced view closes nothing: the connection is the store's. */
    private readonly view = false,
  ) {}

  get location(): string {
    return this.connection.location;
  }

  fencedBy(fence: LeaseFence): StateStore {
    return new ComposedStateStore(this.connection.fenced(fence), this.connection, true);
  }

  async close(): Promise<void> {
    if (!this.view) await this.connection.close();
  }

  listCheckpoints(): Promise<SavedCheckpoint[]> {
    return this.parts.checkpoints.listCheckpoints();
  }

  getCheckpoint(pipeline: string): Promise<SavedCheckpoint | undefined> {
    return this.parts.checkpoints.getCheckpoint(pipeline);
  }
  setCheckpoint(pipeline: string, state: unknown, runId?: string): Promise<void> {
    return this.parts.checkpoints.setCheckpoint(pipeline, state, runId);
  }
  clearCheckpoint(pipeline: string): Promise<boolean> {
    return this.parts.checkpoints.clearCheckpoint(pipeline);
  }
  saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void> {
    return this.parts.checkpoints.saveCheckpoint(runId, pipeline, state, progress);
  }
  checkpointHistory(pipeline: string, limit: number): Promise<CheckpointSnapshot[]> {
    return this.parts.checkpoints.checkpointHistory(pipeline, limit);
  }

  startRun(id: string, pipeline: string): Promise<void> {
    return this.parts.runs.startRun(id, pipeline);
  }
  finishRun(
    runId: string,
    status: Exclude<RunStatus, "running">,
    progress: RunProgress,
    failure?: RunFailure,
    targets?: readonly TargetProgress[],
  ): Promise<void> {
    return this.parts.runs.finishRun(runId, status, progress, failure, targets);
  }
  getRun(id: string): Promise<RunRecord | undefined> {
    return this.parts.runs.getRun(id);
  }
  listRuns(pipeline: string | undefined, limit: number, offset?: number): Promise<RunRecord[]> {
    return this.parts.runs.listRuns(pipeline, limit, offset);
  }
  countRuns(pipeline: string | undefined): Promise<number> {
    return this.parts.runs.countRuns(pipeline);
  }
  markAbandonedRuns(pipeline: string): Promise<number> {
    return this.parts.runs.markAbandonedRuns(pipeline);
  }

  addDeadLetter(entry: NewDeadLetter): Promise<number> {
    return this.parts.deadLetters.addDeadLetter(entry);
  }
  listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return this.parts.deadLetters.listDeadLetters(filter);
  }
  countDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.parts.deadLetters.countDeadLetters(filter);
  }
  groupDeadLetters(pipeline: string): Promise<DeadLetterGroup[]> {
    return this.parts.deadLetters.groupDeadLetters(pipeline);
  }
  getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.parts.deadLetters.getDeadLetter(id);
  }
  recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): Promise<void> {
    return this.parts.deadLetters.recordReplay(succeeded, failed);
  }
  editDeadLetter(id: number, record: Record<string, unknown>, detail: string): Promise<void> {
    return this.parts.deadLetters.editDeadLetter(id, record, detail);
  }
  purgeDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.parts.deadLetters.purgeDeadLetters(filter);
  }

  acquireLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.parts.leases.acquireLease(pipeline, holder, ttlMs);
  }
  renewLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.parts.leases.renewLease(pipeline, holder, ttlMs);
  }
  takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.parts.leases.takeOverLease(pipeline, deadHolder, holder, ttlMs);
  }
  releaseLease(pipeline: string, holder: string): Promise<void> {
    return this.parts.leases.releaseLease(pipeline, holder);
  }
  leaseHolder(pipeline: string): Promise<string | undefined> {
    return this.parts.leases.leaseHolder(pipeline);
  }

  getCachedCatalog(key: string): Promise<CachedCatalog | undefined> {
    return this.parts.catalogs.getCachedCatalog(key);
  }
  saveCachedCatalog(key: string, pipeline: string, catalog: unknown): Promise<void> {
    return this.parts.catalogs.saveCachedCatalog(key, pipeline, catalog);
  }

  getNextRun(pipeline: string): Promise<NextRun | undefined> {
    return this.parts.schedules.getNextRun(pipeline);
  }
  setNextRun(pipeline: string, next: NextRun): Promise<void> {
    return this.parts.schedules.setNextRun(pipeline, next);
  }

  saveAdHocPipeline(pipeline: string, commands: AdHocCommands): Promise<void> {
    return this.parts.adHoc.saveAdHocPipeline(pipeline, commands);
  }
  getAdHocPipeline(pipeline: string): Promise<AdHocCommands | undefined> {
    return this.parts.adHoc.getAdHocPipeline(pipeline);
  }
}
