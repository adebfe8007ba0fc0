import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { FatalError } from "../../protocol/index.js";
import type { DeadLetter, DeadLetterFilter, NewDeadLetter, RunProgress, RunRecord, RunStatus, SavedCheckpoint } from "./types.js";

const SCHEMA_VERSION = 2;

const MIGRATIONS = `
CREATE TABLE IF NOT EXISTS checkpoints (
  pipeline TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  run_id TEXT,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  pipeline TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL,
  progress TEXT NOT NULL DEFAULT '{}',
  dead_lettered INTEGER NOT NULL DEFAULT 0,
  error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline, started_at);
CREATE TABLE IF NOT EXISTS dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline TEXT NOT NULL,
  run_id TEXT NOT NULL,
  stream TEXT NOT NULL,
  stage TEXT NOT NULL,
  error_code TEXT NOT NULL,
  error_message TEXT NOT NULL,
  original TEXT,
  processed TEXT,
  raw TEXT,
  schema TEXT,
  key_properties TEXT,
  checkpoint TEXT,
  location TEXT,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS dead_letters_by_pipeline ON dead_letters (pipeline, status, stage);
CREATE TABLE IF NOT EXISTS leases (
  pipeline TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const parsed = <T>(text: unknown): T | undefined => (typeof text === "string" ? (JSON.parse(text) as T) : undefined);
const now = (): string => new Date().toISOString();

interface RunRow {
  id: string;
  pipeline: string;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  progress: string;
  dead_lettered: number;
  error: string | null;
}

function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    startedAt: row.started_at,
    endedAt: row.ended_at ?? undefined,
    status: row.status,
    progress: JSON.parse(row.progress) as RunProgress,
    deadLettered: row.dead_lettered,
    error: row.error ?? undefined,
  };
}

function toDeadLetter(row: Record<string, unknown>): DeadLetter {
  return {
    id: row["id"] as number,
    pipeline: row["pipeline"] as string,
    runId: row["run_id"] as string,
    stream: row["stream"] as string,
    stage: row["stage"] as DeadLetter["stage"],
    errorCode: row["error_code"] as string,
    errorMessage: row["error_message"] as string,
    original: parsed(row["original"]),
    processed: parsed(row["processed"]),
    raw: (row["raw"] as string | null) ?? undefined,
    schema: parsed(row["schema"]),
    keyProperties: parsed(row["key_properties"]),
    checkpoint: parsed(row["checkpoint"]),
    location: parsed(row["location"]),
    createdAt: row["created_at"] as string,
    status: row["status"] as DeadLetter["status"],
    attempts: row["attempts"] as number,
    lastError: (row["last_error"] as string | null) ?? undefined,
  };
}

/**
 * The runner's state store on SQLite (WAL, synchronous FULL): checkpoints,
 * runs and dead letters. Every change that must stay consistent with
 * another (a checkpoint and the run's progress) happens in one transaction,
 * so a crash leaves the last good checkpoint untouched. `:memory:` gives a
 * store for tests.
 */
export class SqliteStateStore {
  readonly path: string;
  private readonly db: Database;

  constructor(path: string) {
    this.path = path === ":memory:" ? path : resolve(path);
    try {
      if (this.path !== ":memory:") mkdirSync(dirname(this.path), { recursive: true });
      this.db = new BetterSqlite3(this.path, { timeout: 10_000 });
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = FULL");
      this.migrate();
    } catch (error) {
      throw new FatalError("STATE_STORE_UNAVAILABLE", `cannot open the state store (${(error as Error).message})`, {
        where: { file: this.path },
        hint: "Check that the state store path is writable (state_store in pipelines.toml, or --state-store).",
        cause: error,
      });
    }
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`the state store was written by a newer Agora (schema ${version}, this one knows ${SCHEMA_VERSION})`);
    }
    this.db.exec(MIGRATIONS);
    this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }

  close(): void {
    this.db.close();
  }

  // Checkpoints

  getCheckpoint(pipeline: string): SavedCheckpoint | undefined {
    const row = this.db.prepare("SELECT pipeline, state, run_id, updated_at FROM checkpoints WHERE pipeline = ?").get(pipeline) as
      | { pipeline: string; state: string; run_id: string | null; updated_at: string }
      | undefined;
    return row === undefined ? undefined : { pipeline: row.pipeline, state: JSON.parse(row.state) as unknown, runId: row.run_id ?? undefined, updatedAt: row.updated_at };
  }

  setCheckpoint(pipeline: string, state: unknown, runId?: string): void {
    this.db
      .prepare("INSERT INTO checkpoints (pipeline, state, run_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at")
      .run(pipeline, JSON.stringify(state), runId ?? null, now());
  }

  clearCheckpoint(pipeline: string): boolean {
    return this.db.prepare("DELETE FROM checkpoints WHERE pipeline = ?").run(pipeline).changes > 0;
  }

  // Runs

  startRun(id: string, pipeline: string): void {
    this.db.prepare("INSERT INTO runs (id, pipeline, started_at, status) VALUES (?, ?, ?, 'running')").run(id, pipeline, now());
  }

  /** Saves a newly confirmed checkpoint together with the run's progress, atomically. */
  saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): void {
    this.db.transaction(() => {
      this.setCheckpoint(pipeline, state, runId);
      this.db.prepare("UPDATE runs SET progress = ? WHERE id = ?").run(JSON.stringify(progress), runId);
    })();
  }

  finishRun(runId: string, status: Exclude<RunStatus, "running">, progress: RunProgress, error?: string): void {
    this.db
      .prepare("UPDATE runs SET ended_at = ?, status = ?, progress = ?, error = ?, dead_lettered = (SELECT count(*) FROM dead_letters WHERE run_id = ?) WHERE id = ?")
      .run(now(), status, JSON.stringify(progress), error ?? null, runId, runId);
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
    return row === undefined ? undefined : toRun(row);
  }

  listRuns(pipeline: string | undefined, limit: number): RunRecord[] {
    const rows = (
      pipeline === undefined
        ? this.db.prepare("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?").all(limit)
        : this.db.prepare("SELECT * FROM runs WHERE pipeline = ? ORDER BY started_at DESC, rowid DESC LIMIT ?").all(pipeline, limit)
    ) as RunRow[];
    return rows.map(toRun);
  }

  /** Runs left "running" by a runner that died: marked failed so history tells the truth. */
  markAbandonedRuns(pipeline: string): number {
    return this.db.prepare("UPDATE runs SET status = 'failed', ended_at = ?, error = 'the runner stopped without finishing this run (killed?)' WHERE pipeline = ? AND status = 'running'").run(now(), pipeline).changes;
  }

  // Leases: at most one run of a pipeline at a time, across processes sharing this store

  /**
   * Takes the pipeline's lease for `ttlMs` if it is free, expired, or already
   * ours. Atomic: SQLite serialises writers, so two workers cannot both win.
   */
  acquireLease(pipeline: string, holder: string, ttlMs: number): boolean {
    const now = Date.now();
    const result = this.db
      .prepare(
        `INSERT INTO leases (pipeline, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.expires_at < ? OR leases.holder = excluded.holder`,
      )
      .run(pipeline, holder, now + ttlMs, now);
    return result.changes === 1;
  }

  /** Extends a lease we hold; false if it is no longer ours. */
  renewLease(pipeline: string, holder: string, ttlMs: number): boolean {
    return this.db.prepare("UPDATE leases SET expires_at = ? WHERE pipeline = ? AND holder = ?").run(Date.now() + ttlMs, pipeline, holder).changes === 1;
  }

  /** Hands a lease from a holder known to be dead to a new one; false if someone else got it first. */
  takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): boolean {
    return this.db.prepare("UPDATE leases SET holder = ?, expires_at = ? WHERE pipeline = ? AND holder = ?").run(holder, Date.now() + ttlMs, pipeline, deadHolder).changes === 1;
  }

  releaseLease(pipeline: string, holder: string): void {
    this.db.prepare("DELETE FROM leases WHERE pipeline = ? AND holder = ?").run(pipeline, holder);
  }

  /** Who holds a pipeline's lease now, if anyone. */
  leaseHolder(pipeline: string): string | undefined {
    const row = this.db.prepare("SELECT holder FROM leases WHERE pipeline = ? AND expires_at >= ?").get(pipeline, Date.now()) as { holder: string } | undefined;
    return row?.holder;
  }

  // Dead letters

  addDeadLetter(entry: NewDeadLetter): number {
    const result = this.db
      .prepare(
        `INSERT INTO dead_letters (pipeline, run_id, stream, stage, error_code, error_message, original, processed, raw, schema, key_properties, checkpoint, location, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.pipeline,
        entry.runId,
        entry.stream,
        entry.stage,
        entry.errorCode,
        entry.errorMessage,
        json(entry.original),
        json(entry.processed),
        entry.raw ?? null,
        json(entry.schema),
        json(entry.keyProperties),
        json(entry.checkpoint),
        json(entry.location),
        now(),
      );
    return Number(result.lastInsertRowid);
  }

  listDeadLetters(filter: DeadLetterFilter): DeadLetter[] {
    const { sql, values } = this.deadLetterWhere(filter);
    const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
    return (this.db.prepare(`SELECT * FROM dead_letters WHERE ${sql} ORDER BY id${limit}`).all(...values) as Array<Record<string, unknown>>).map(toDeadLetter);
  }

  countDeadLetters(filter: DeadLetterFilter): number {
    const { sql, values } = this.deadLetterWhere(filter);
    return (this.db.prepare(`SELECT count(*) AS n FROM dead_letters WHERE ${sql}`).get(...values) as { n: number }).n;
  }

  getDeadLetter(id: number): DeadLetter | undefined {
    const row = this.db.prepare("SELECT * FROM dead_letters WHERE id = ?").get(id) as Record<string, unknown> | undefined;
    return row === undefined ? undefined : toDeadLetter(row);
  }

  /** Marks replayed entries done, and failed ones with another attempt, in one transaction. */
  recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): void {
    this.db.transaction(() => {
      const done = this.db.prepare("UPDATE dead_letters SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'");
      for (const id of succeeded) done.run(id);
      const again = this.db.prepare("UPDATE dead_letters SET attempts = attempts + 1, last_error = ? WHERE id = ?");
      for (const { id, error } of failed) again.run(error, id);
    })();
  }

  purgeDeadLetters(filter: DeadLetterFilter): number {
    const { sql, values } = this.deadLetterWhere(filter);
    return this.db.prepare(`DELETE FROM dead_letters WHERE ${sql}`).run(...values).changes;
  }

  private deadLetterWhere(filter: DeadLetterFilter): { sql: string; values: unknown[] } {
    const clauses = ["pipeline = ?"];
    const values: unknown[] = [filter.pipeline];
    if (filter.stage !== undefined) {
      clauses.push("stage = ?");
      values.push(filter.stage);
    }
    if (filter.status !== undefined) {
      clauses.push("status = ?");
      values.push(filter.status);
    }
    if (filter.ids !== undefined) {
      clauses.push(`id IN (${filter.ids.map(() => "?").join(", ") || "NULL"})`);
      values.push(...filter.ids);
    }
    return { sql: clauses.join(" AND "), values };
  }
}
