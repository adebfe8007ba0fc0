import type pg from "pg";
import { parseJson, stringifyJson } from "../../../protocol/index.js";
import type { CheckpointStore } from "../interfaces.js";
import type { CheckpointSnapshot, RunProgress, SavedCheckpoint } from "../types.js";
import { historyCopy, type HistoryRow, now, toSnapshot } from "../rows.js";
import type { PostgresHandle } from "./postgres-handle.js";

/** Pipelines' checkpoints; a run's is saved with its progress in one transaction. */
export class PostgresCheckpoints implements CheckpointStore {
  constructor(private readonly handle: PostgresHandle) {}

  async getCheckpoint(pipeline: string): Promise<SavedCheckpoint | undefined> {
    return this.handle.guard(`read the checkpoint of pipeline ${pipeline}`, async (client) => {
      const row = (
        await client.query<{ pipeline: string; state: string; run_id: string | null; updated_at: string }>(
          "SELECT pipeline, state, run_id, updated_at FROM checkpoints WHERE pipeline = $1",
          [pipeline],
        )
      ).rows[0];
      return row === undefined ? undefined : { pipeline: row.pipeline, state: parseJson(row.state), runId: row.run_id ?? undefined, updatedAt: row.updated_at };
    });
  }

  async listCheckpoints(): Promise<SavedCheckpoint[]> {
    return this.handle.guard("list the checkpoints", async (client) => {
      const rows = (
        await client.query<{ pipeline: string; state: string; run_id: string | null; updated_at: string }>(
          "SELECT pipeline, state, run_id, updated_at FROM checkpoints ORDER BY pipeline",
        )
      ).rows;
      return rows.map((row) => ({ pipeline: row.pipeline, state: parseJson(row.state), runId: row.run_id ?? undefined, updatedAt: row.updated_at }));
    });
  }

  async setCheckpoint(pipeline: string, state: unknown, runId?: string): Promise<void> {
    return this.handle.guard(`save the checkpoint of pipeline ${pipeline}`, async (client) => {
      await this.writeCheckpoint(client, pipeline, state, runId);
    });
  }

  private async writeCheckpoint(client: pg.PoolClient, pipeline: string, state: unknown, runId?: string): Promise<void> {
    await client.query(
      "INSERT INTO checkpoints (pipeline, state, run_id, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (pipeline) DO UPDATE SET state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at",
      [pipeline, stringifyJson(state), runId ?? null, now()],
    );
  }

  async clearCheckpoint(pipeline: string): Promise<boolean> {
    return this.handle.guard(
      `clear the checkpoint of pipeline ${pipeline}`,
      async (client) => ((await client.query("DELETE FROM checkpoints WHERE pipeline = $1", [pipeline])).rowCount ?? 0) > 0,
    );
  }

  /** Saves a newly confirmed checkpoint together with the run's progress, atomically. */
  async saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void> {
    return this.handle.runWrite(`save the checkpoint of pipeline ${pipeline}`, (client) =>
      this.handle.transaction(client, async () => {
        await this.writeCheckpoint(client, pipeline, state, runId);
        const copy = historyCopy(state);
        await client.query("UPDATE runs SET progress = $1, checkpoint = $2, checkpoint_bytes = $3, checkpoint_at = $4 WHERE id = $5", [
          JSON.stringify(progress),
          copy.text,
          copy.bytes,
          now(),
          runId,
        ]);
      }),
    );
  }

  async checkpointHistory(pipeline: string, limit: number): Promise<CheckpointSnapshot[]> {
    return this.handle.guard(`read the checkpoint history of pipeline ${pipeline}`, async (client) => {
      const rows = (
        await client.query<HistoryRow>(
          "SELECT id, checkpoint, checkpoint_bytes, checkpoint_at FROM runs WHERE pipeline = $1 AND checkpoint_bytes IS NOT NULL ORDER BY started_at DESC, seq DESC LIMIT $2",
          [pipeline, limit],
        )
      ).rows;
      return rows.map(toSnapshot);
    });
  }
}
