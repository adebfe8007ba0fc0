import type { RunStore } from "../interfaces.js";
import { HISTORY_RUNS, json, RUN_COLUMNS, toRun, type RunRow, now } from "../rows.js";
import type { RunFailure, RunProgress, RunRecord, RunStatus, TargetProgress } from "../types.js";
import type { PostgresHandle } from "./postgres-handle.js";

/** The run history: each run's start, end, progress and failure. */
export class PostgresRuns implements RunStore {
  constructor(private readonly handle: PostgresHandle) {}

  async startRun(id: string, pipeline: string): Promise<void> {
    return this.handle.runWrite(`record the start of run ${id}`, async (client) => {
      await client.query("INSERT INTO runs (id, pipeline, started_at, status) VALUES ($1, $2, $3, 'running')", [id, pipeline, now()]);
      // Only the newest runs keep a copy of their checkpoint (see HISTORY_RUNS).
      await client.query(
        "UPDATE runs SET checkpoint = NULL WHERE pipeline = $1 AND checkpoint IS NOT NULL AND id NOT IN (SELECT id FROM runs WHERE pipeline = $1 ORDER BY started_at DESC, seq DESC LIMIT $2)",
        [pipeline, HISTORY_RUNS],
      );
    });
  }

  async finishRun(
    runId: string,
    status: Exclude<RunStatus, "running">,
    progress: RunProgress,
    failure?: RunFailure,
    targets?: readonly TargetProgress[],
  ): Promise<void> {
    return this.handle.runWrite(`record the end of run ${runId}`, async (client) => {
      await client.query(
        "UPDATE runs SET ended_at = $1, status = $2, progress = $3, error = $4, error_code = $5, error_kind = $6, dead_lettered = (SELECT count(*) FROM dead_letters WHERE run_id = $7), targets = $8 WHERE id = $7",
        [now(), status, JSON.stringify(progress), failure?.message ?? null, failure?.code ?? null, failure?.kind ?? null, runId, json(targets)],
      );
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.handle.guard(`read run ${id}`, async (client) => {
      const row = (await client.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = $1`, [id])).rows[0];
      return row === undefined ? undefined : toRun(row);
    });
  }

  async listRuns(pipeline: string | undefined, limit: number, offset = 0): Promise<RunRecord[]> {
    return this.handle.guard("read the run history", async (client) => {
      const result =
        pipeline === undefined
          ? await client.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, seq DESC LIMIT $1 OFFSET $2`, [limit, offset])
          : await client.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE pipeline = $1 ORDER BY started_at DESC, seq DESC LIMIT $2 OFFSET $3`, [
              pipeline,
              limit,
              offset,
            ]);
      return result.rows.map(toRun);
    });
  }

  async countRuns(pipeline: string | undefined): Promise<number> {
    return this.handle.guard("count the run history", async (client) => {
      const result =
        pipeline === undefined
          ? await client.query<{ n: string }>("SELECT count(*) AS n FROM runs")
          : await client.query<{ n: string }>("SELECT count(*) AS n FROM runs WHERE pipeline = $1", [pipeline]);
      return Number(result.rows[0]?.n ?? 0);
    });
  }

  /** Runs left "running" by a runner that died: marked failed so history tells the truth. */
  async markAbandonedRuns(pipeline: string): Promise<number> {
    return this.handle.runWrite(`mark unfinished runs of pipeline ${pipeline}`, async (client) => {
      const result = await client.query(
        "UPDATE runs SET status = 'failed', ended_at = $1, error = 'the runner stopped without finishing this run (killed?)', error_code = 'RUN_ABANDONED', error_kind = 'fatal' WHERE pipeline = $2 AND status = 'running'",
        [now(), pipeline],
      );
      return result.rowCount ?? 0;
    });
  }
}
