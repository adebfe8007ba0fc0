import { parseJson, stringifyJson } from "../../../protocol/index.js";
import type { CheckpointStore } from "../interfaces.js";
import type { CheckpointSnapshot, RunProgress, SavedCheckpoint } from "../types.js";
import { historyCopy, type HistoryRow, now, toSnapshot } from "../rows.js";
import type { SqliteHandle } from "./sqlite-handle.js";

/** Pipelines' checkpoints; a run's is saved with its progress in one transaction. */
export class SqliteCheckpoints implements CheckpointStore {
  constructor(private readonly handle: SqliteHandle) {}

  async getCheckpoint(pipeline: string): Promise<SavedCheckpoint | undefined> {
    return this.handle.guard(`read the checkpoint of pipeline ${pipeline}`, () => {
      const row = this.handle.db.prepare("SELECT pipeline, state, run_id, updated_at FROM checkpoints WHERE pipeline = ?").get(pipeline) as
        | { pipeline: string; state: string; run_id: string | null; updated_at: string }
        | undefined;
      return row === undefined ? undefined : { pipeline: row.pipeline, state: parseJson(row.state), runId: row.run_id ?? undefined, updatedAt: row.updated_at };
    });
  }

  async listCheckpoints(): Promise<SavedCheckpoint[]> {
    return this.handle.guard("list the checkpoints", () => {
      const rows = this.handle.db.prepare("SELECT pipeline, state, run_id, updated_at FROM checkpoints ORDER BY pipeline").all() as Array<{
        pipeline: string;
        state: string;
        run_id: string | null;
        updated_at: string;
      }>;
      return rows.map((row) => ({ pipeline: row.pipeline, state: parseJson(row.state), runId: row.run_id ?? undefined, updatedAt: row.updated_at }));
    });
  }

  async setCheckpoint(pipeline: string, state: unknown, runId?: string): Promise<void> {
    return this.handle.guard(`save the checkpoint of pipeline ${pipeline}`, () => {
      this.writeCheckpoint(pipeline, state, runId);
    });
  }

  private writeCheckpoint(pipeline: string, state: unknown, runId?: string): void {
    this.handle.db
      .prepare(
        "INSERT INTO checkpoints (pipeline, state, run_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at",
      )
      .run(pipeline, stringifyJson(state), runId ?? null, now());
  }

  async clearCheckpoint(pipeline: string): Promise<boolean> {
    return this.handle.guard(`clear the checkpoint of pipeline ${pipeline}`, () => {
      return this.handle.db.prepare("DELETE FROM checkpoints WHERE pipeline = ?").run(pipeline).changes > 0;
    });
  }

  /** Saves a newly confirmed checkpoint together with the run's progress, atomically. */
  async saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void> {
    return this.handle.runWrite(`save the checkpoint of pipeline ${pipeline}`, () => {
      this.handle.db.transaction(() => {
        this.writeCheckpoint(pipeline, state, runId);
        const copy = historyCopy(state);
        this.handle.db
          .prepare("UPDATE runs SET progress = ?, checkpoint = ?, checkpoint_bytes = ?, checkpoint_at = ? WHERE id = ?")
          .run(JSON.stringify(progress), copy.text, copy.bytes, now(), runId);
      })();
    });
  }

  async checkpointHistory(pipeline: string, limit: number): Promise<CheckpointSnapshot[]> {
    return this.handle.guard(`read the checkpoint history of pipeline ${pipeline}`, () => {
      const rows = this.handle.db
        .prepare(
          "SELECT id, checkpoint, checkpoint_bytes, checkpoint_at FROM runs WHERE pipeline = ? AND checkpoint_bytes IS NOT NULL ORDER BY started_at DESC, rowid DESC LIMIT ?",
        )
        .all(pipeline, limit) as HistoryRow[];
      return rows.map(toSnapshot);
    });
  }
}
