import type { RunStore } from "../interfaces.js";
import { HISTORY_RUNS, json, RUN_COLUMNS, toRun, type RunRow, now } from "../rows.js";
import type { RunFailure, RunProgress, RunRecord, RunStatus, TargetProgress } from "../types.js";
import type { SqliteHandle } from "./sqlite-handle.js";

/** The run history: each run's start, end, progress and failure. */
export class SqliteRuns implements RunStore {
  constructor(private readonly handle: SqliteHandle) {}

  async startRun(id: string, pipeline: string): Promise<void> {
    return this.handle.runWrite(`record the start of run ${id}`, () => {
      this.handle.db.transaction(() => {
        this.handle.db.prepare("INSERT INTO runs (id, pipeline, started_at, status) VALUES (?, ?, ?, 'running')").run(id, pipeline, now());
        // Only the newest runs keep a copy of their checkpoint (see HISTORY_RUNS).
        this.handle.db
          .prepare(
            "UPDATE runs SET checkpoint = NULL WHERE pipeline = ? AND checkpoint IS NOT NULL AND id NOT IN (SELECT id FROM runs WHERE pipeline = ? ORDER BY started_at DESC, rowid DESC LIMIT ?)",
          )
          .run(pipeline, pipeline, HISTORY_RUNS);
      })();
    });
  }

  async finishRun(
    runId: string,
    status: Exclude<RunStatus, "running">,
    progress: RunProgress,
    failure?: RunFailure,
    targets?: readonly TargetProgress[],
  ): Promise<void> {
    return this.handle.runWrite(`record the end of run ${runId}`, () => {
      this.handle.db
        .prepare(
          "UPDATE runs SET ended_at = ?, status = ?, progress = ?, targets = ?, error = ?, error_code = ?, error_kind = ?, dead_lettered = (SELECT count(*) FROM dead_letters WHERE run_id = ?) WHERE id = ?",
        )
        .run(now(), status, JSON.stringify(progress), json(targets), failure?.message ?? null, failure?.code ?? null, failure?.kind ?? null, runId, runId);
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.handle.guard(`read run ${id}`, () => {
      const row = this.handle.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
      return row === undefined ? undefined : toRun(row);
    });
  }

  async listRuns(pipeline: string | undefined, limit: number, offset = 0): Promise<RunRecord[]> {
    return this.handle.guard(`read the run history`, () => {
      const rows = (
        pipeline === undefined
          ? this.handle.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`).all(limit, offset)
          : this.handle.db
              .prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE pipeline = ? ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?`)
              .all(pipeline, limit, offset)
      ) as RunRow[];
      return rows.map(toRun);
    });
  }

  async countRuns(pipeline: string | undefined): Promise<number> {
    return this.handle.guard(`count the run history`, () => {
      const row = (
        pipeline === undefined
          ? this.handle.db.prepare("SELECT count(*) AS n FROM runs").get()
          : this.handle.db.prepare("SELECT count(*) AS n FROM runs WHERE pipeline = ?").get(pipeline)
      ) as { n: number };
      return row.n;
    });
  }

  /** Runs left "running" by a runner that died: marked failed so history tells the truth. */
  async markAbandonedRuns(pipeline: string): Promise<number> {
    return this.handle.runWrite(`mark unfinished runs of pipeline ${pipeline}`, () => {
      return this.handle.db
        .prepare(
          "UPDATE runs SET status = 'failed', ended_at = ?, error = 'the runner stopped without finishing this run (killed?)', error_code = 'RUN_ABANDONED', error_kind = 'fatal' WHERE pipeline = ? AND status = 'running'",
        )
        .run(now(), pipeline).changes;
    });
  }
}
