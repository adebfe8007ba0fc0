import { HISTORY_RUNS, historyCopy } from "../rows.js";
import type { CheckpointSnapshot } from "../types.js";

/** The memory store's checkpoint history: each run's last checkpoint, bounded as every store bounds it (HISTORY_MAX_BYTES, HISTORY_RUNS). */
export class MemoryCheckpointHistory {
  private readonly snapshots = new Map<string, CheckpointSnapshot>();

  record(runId: string, state: unknown, savedAt: string): void {
    const kept = historyCopy(state);
    this.snapshots.set(runId, { runId, state: kept.text === null ? undefined : state, bytes: kept.bytes, savedAt });
  }

  /** `runIds`: a pipeline's runs, newest first. */
  list(runIds: readonly string[], limit: number): CheckpointSnapshot[] {
    return runIds.flatMap((id) => this.snapshots.get(id) ?? []).slice(0, limit);
  }

  /** Drops the copies of all but the newest HISTORY_RUNS of `runIds` (newest first), keeping their sizes. */
  trim(runIds: readonly string[]): void {
    for (const id of runIds.slice(HISTORY_RUNS)) {
      const kept = this.snapshots.get(id);
      if (kept !== undefined) this.snapshots.set(id, { ...kept, state: undefined });
    }
  }
}
