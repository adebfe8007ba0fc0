import { leaseLostError, type LeaseFence } from "../lease-fence.js";
import { parseJsonExact, stringifyJson } from "../../../protocol/index.js";
import type { StateStore } from "../interfaces.js";
import { now } from "../rows.js";
import { MemoryCheckpointHistory } from "./memory-checkpoint-history.js";
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
} from "../types.js";

/** A deep copy through JSON, as a store that serialises would hand back. */
const copy = <T>(value: T): T => (value === undefined ? value : (parseJsonExact(stringifyJson(value)) as T));

function matches(entry: DeadLetter, filter: DeadLetterFilter): boolean {
  return (
    entry.pipeline === filter.pipeline &&
    (filter.stage === undefined || entry.stage === filter.stage) &&
    (filter.status === undefined || entry.status === filter.status) &&
    (filter.ids === undefined || filter.ids.includes(entry.id)) &&
    (filter.stream === undefined || entry.stream === filter.stream) &&
    (filter.errorCode === undefined || entry.errorCode === filter.errorCode)
  );
}

/**
 * A state store in this process's memory, for tests and one-off runs. Keyed
 * by Maps (pipeline names are data). Changes that belong together are
 * prepared in full before any is applied, so a failure applies none.
 */
export class MemoryStateStore implements StateStore {
  readonly location = "memory";
  private readonly checkpoints = new Map<string, SavedCheckpoint>();
  private readonly runs = new Map<string, RunRecord>();
  private readonly history = new MemoryCheckpointHistory();
  private readonly deadLetters = new Map<number, DeadLetter>();
  private readonly adHoc = new Map<string, AdHocCommands>();
  private readonly leases = new Map<string, { holder: string; expiresAt: number }>();
  private readonly catalogs = new Map<string, CachedCatalog>();
  private readonly schedules = new Map<string, NextRun>();
  private nextDeadLetterId = 1;

  /** Set on a view made by fencedBy: the lease its writes stand on. */
  private readonly fence: LeaseFence | undefined = undefined;

  async close(): Promise<void> {}

  fencedBy(fence: LeaseFence): StateStore {
    const view = Object.create(this) as MemoryStateStore;
    Object.defineProperty(view, "fence", { value: fence });
    return view;
  }

  /** Under a fence, refuses a write once the lease names another holder. */
  private checkFence(): void {
    const fence = this.fence;
    if (fence === undefined) return;
    const holder = this.leases.get(fence.pipeline)?.holder;
    if (holder !== fence.holder) throw leaseLostError(fence, holder);
  }

  async getNextRun(pipeline: string): Promise<NextRun | undefined> {
    return copy(this.schedules.get(pipeline));
  }

  async setNextRun(pipeline: string, next: NextRun): Promise<void> {
    this.checkFence();
    this.schedules.set(pipeline, copy(next));
  }

  async getCheckpoint(pipeline: string): Promise<SavedCheckpoint | undefined> {
    return copy(this.checkpoints.get(pipeline));
  }

  async listCheckpoints(): Promise<SavedCheckpoint[]> {
    return [...this.checkpoints.values()]
      .sort((left, right) => (left.pipeline < right.pipeline ? -1 : 1))
      .map((checkpoint) => copy(checkpoint) as SavedCheckpoint);
  }

  async setCheckpoint(pipeline: string, state: unknown, runId?: string): Promise<void> {
    this.checkpoints.set(pipeline, { pipeline, state: copy(state), runId, updatedAt: now() });
  }

  async clearCheckpoint(pipeline: string): Promise<boolean> {
    return this.checkpoints.delete(pipeline);
  }

  async saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void> {
    this.checkFence();
    const checkpoint: SavedCheckpoint = { pipeline, state: copy(state), runId, updatedAt: now() };
    const run = this.runs.get(runId);
    const updated = run === undefined ? undefined : { ...run, progress: copy(progress) };
    this.checkpoints.set(pipeline, checkpoint);
    if (updated !== undefined) this.runs.set(runId, updated);
    if (updated !== undefined) this.history.record(runId, checkpoint.state, checkpoint.updatedAt);
  }

  async checkpointHistory(pipeline: string, limit: number): Promise<CheckpointSnapshot[]> {
    return copy(this.history.list(this.runIdsOf(pipeline), limit));
  }

  /** A pipeline's runs, newest first. */
  private runIdsOf(pipeline: string): string[] {
    return [...this.runs.values()]
      .filter((run) => run.pipeline === pipeline)
      .map((run) => run.id)
      .reverse();
  }

  async startRun(id: string, pipeline: string): Promise<void> {
    this.checkFence();
    this.runs.set(id, {
      id,
      pipeline,
      startedAt: now(),
      endedAt: undefined,
      status: "running",
      progress: {},
      deadLettered: 0,
      error: undefined,
      errorCode: undefined,
      errorKind: undefined,
    });
    this.history.trim(this.runIdsOf(pipeline));
  }

  async finishRun(
    runId: string,
    status: Exclude<RunStatus, "running">,
    progress: RunProgress,
    failure?: RunFailure,
    targets?: readonly TargetProgress[],
  ): Promise<void> {
    this.checkFence();
    const run = this.runs.get(runId);
    if (run === undefined) return;
    const deadLettered = [...this.deadLetters.values()].filter((entry) => entry.runId === runId).length;
    this.runs.set(runId, {
      ...run,
      endedAt: now(),
      status,
      progress: copy(progress),
      targets: copy(targets),
      deadLettered,
      error: failure?.message,
      errorCode: failure?.code,
      errorKind: failure?.kind,
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return copy(this.runs.get(id));
  }

  async listRuns(pipeline: string | undefined, limit: number, offset = 0): Promise<RunRecord[]> {
    const all = [...this.runs.values()].filter((run) => pipeline === undefined || run.pipeline === pipeline);
    return copy(all.reverse().slice(offset, offset + limit));
  }

  async countRuns(pipeline: string | undefined): Promise<number> {
    return [...this.runs.values()].filter((run) => pipeline === undefined || run.pipeline === pipeline).length;
  }

  async markAbandonedRuns(pipeline: string): Promise<number> {
    this.checkFence();
    let count = 0;
    for (const run of this.runs.values()) {
      if (run.pipeline !== pipeline || run.status !== "running") continue;
      this.runs.set(run.id, {
        ...run,
        status: "failed",
        endedAt: now(),
        error: "the runner stopped without finishing this run (killed?)",
        errorCode: "RUN_ABANDONED",
        errorKind: "fatal",
      });
      count += 1;
    }
    return count;
  }

  async acquireLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    const current = this.leases.get(pipeline);
    if (current !== undefined && current.expiresAt >= Date.now() && current.holder !== holder) return false;
    this.leases.set(pipeline, { holder, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async renewLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    if (this.leases.get(pipeline)?.holder !== holder) return false;
    this.leases.set(pipeline, { holder, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): Promise<boolean> {
    if (this.leases.get(pipeline)?.holder !== deadHolder) return false;
    this.leases.set(pipeline, { holder, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async releaseLease(pipeline: string, holder: string): Promise<void> {
    if (this.leases.get(pipeline)?.holder === holder) this.leases.delete(pipeline);
  }

  async leaseHolder(pipeline: string): Promise<string | undefined> {
    const current = this.leases.get(pipeline);
    return current === undefined || current.expiresAt < Date.now() ? undefined : current.holder;
  }

  async getCachedCatalog(key: string): Promise<CachedCatalog | undefined> {
    return copy(this.catalogs.get(key));
  }

  async saveCachedCatalog(key: string, pipeline: string, catalog: unknown): Promise<void> {
    this.catalogs.set(key, { pipeline, catalog: copy(catalog), discoveredAt: now() });
  }

  async saveAdHocPipeline(pipeline: string, commands: AdHocCommands): Promise<void> {
    this.adHoc.set(pipeline, copy(commands));
  }

  async getAdHocPipeline(pipeline: string): Promise<AdHocCommands | undefined> {
    return copy(this.adHoc.get(pipeline));
  }

  async addDeadLetter(entry: NewDeadLetter): Promise<number> {
    this.checkFence();
    const id = this.nextDeadLetterId;
    this.nextDeadLetterId += 1;
    this.deadLetters.set(id, { ...copy(entry), id, createdAt: now(), status: "pending", attempts: 0, lastError: undefined, history: [] });
    return id;
  }

  async listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    const found = [...this.deadLetters.values()].filter((entry) => matches(entry, filter));
    const start = Math.max(0, Math.floor(filter.offset ?? 0));
    return copy(found.slice(start, filter.limit === undefined ? undefined : start + Math.max(0, Math.floor(filter.limit))));
  }

  async groupDeadLetters(pipeline: string): Promise<DeadLetterGroup[]> {
    const groups = new Map<string, DeadLetterGroup>();
    for (const entry of this.deadLetters.values()) {
      if (entry.pipeline !== pipeline) continue;
      const key = JSON.stringify([entry.stream, entry.stage, entry.errorCode, entry.status]);
      const { stream, stage, errorCode, status } = entry;
      groups.set(key, { stream, stage, errorCode, status, count: (groups.get(key)?.count ?? 0) + 1 });
    }
    return [...groups.entries()].sort(([left], [right]) => (left < right ? -1 : 1)).map(([, group]) => group);
  }

  async countDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return [...this.deadLetters.values()].filter((entry) => matches(entry, filter)).length;
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return copy(this.deadLetters.get(id));
  }

  async recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): Promise<void> {
    this.checkFence();
    const changes: DeadLetter[] = [];
    for (const id of succeeded) {
      const entry = this.deadLetters.get(id);
      if (entry?.status === "pending") changes.push({ ...entry, status: "done", attempts: entry.attempts + 1, lastError: undefined });
    }
    for (const { id, error } of failed) {
      const entry = this.deadLetters.get(id);
      if (entry !== undefined)
        changes.push({
          ...entry,
          attempts: entry.attempts + 1,
          lastError: error,
          history: [...entry.history, { at: now(), kind: "replay_failed", detail: error }],
        });
    }
    for (const entry of changes) this.deadLetters.set(entry.id, entry);
  }

  async editDeadLetter(id: number, record: Record<string, unknown>, detail: string): Promise<void> {
    const entry = this.deadLetters.get(id);
    if (entry === undefined) return;
    const edited = entry.original === undefined ? { ...entry, processed: copy(record) } : { ...entry, original: copy(record), processed: undefined };
    this.deadLetters.set(id, { ...edited, history: [...entry.history, { at: now(), kind: "edited", detail }] });
  }

  async purgeDeadLetters(filter: DeadLetterFilter): Promise<number> {
    const doomed = [...this.deadLetters.values()].filter((entry) => matches(entry, filter));
    for (const entry of doomed) this.deadLetters.delete(entry.id);
    return doomed.length;
  }
}
