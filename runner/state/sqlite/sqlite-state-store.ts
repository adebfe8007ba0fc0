import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { AgoraError, ensurePrivateFile, FatalError, parseJson, stringifyJson } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";
import type { StateStore } from "../interfaces.js";
import type {
  AdHocCommands,
  CachedCatalog,
  DeadLetter,
  DeadLetterFilter,
  NewDeadLetter,
  NextRun,
  RunFailure,
  RunProgress,
  RunRecord,
  RunStatus,
  SavedCheckpoint,
  TargetProgress,
} from "../types.js";
import { migrate } from "./migrations.js";
import { sqliteFailure } from "./sqlite-failure.js";
import { leaseLostError, type LeaseFence } from "../lease-fence.js";
import { DEAD_LETTER_COLUMNS, deadLetterValues, eventJson, json, toDeadLetter, toRun, type RunRow } from "../rows.js";

/** Appends the event (JSON text, the next parameter) to a dead letter's history. */
const SQLITE_APPEND_EVENT = "json_insert(coalesce(history, '[]'), '$[#]', json(?))";
import { deadLetterWhere } from "../dead-letter-where.js";
import { DocumentTexts, ORPHAN_DOCUMENTS } from "../dead-letter-documents.js";

const now = (): string => new Date().toISOString();

/**
 * The runner's state store on SQLite (WAL, synchronous FULL), the embedded
 * default: one database file for checkpoints, runs, dead letters and
 * leases. Every change that must stay consistent with another (a checkpoint
 * and the run's progress) happens in one transaction, so a crash leaves the
 * last good checkpoint untouched. Several processes may share the file:
 * SQLite serialises writers.
 */
export class SqliteStateStore implements StateStore {
  readonly path: string;
  private readonly db: Database;
  private readonly documents = new DocumentTexts();
  /** Set on a view made by fencedBy: the lease its writes stand on. */
  private readonly fence: LeaseFence | undefined = undefined;

  constructor(path: string) {
    this.path = path === ":memory:" ? path : resolve(path);
    try {
      if (this.path !== ":memory:") {
        mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
        // Checkpoints, run history and dead letters (records, with whatever they hold): the owner's only.
        ensurePrivateFile(this.path);
      }
      this.db = new BetterSqlite3(this.path, { timeout: 10_000 });
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = FULL");
      migrate(this.db);
    } catch (error) {
      // A disk that is full or failing says so; anything else (a folder that cannot be made, a bad path) is "cannot open".
      const failure = sqliteFailure(error, this.path, "be opened");
      if (failure instanceof AgoraError) throw failure;
      throw new FatalError(RunnerCodes.STATE_STORE_UNAVAILABLE, `cannot open the state store (${(error as Error).message})`, {
        where: { file: this.path },
        hint: "Check that the state store path is writable (state_store in pipelines.toml, or --state-store).",
        cause: error,
      });
    }
  }

  /** Runs one operation on the database; a failure of the file becomes one clear error saying what the store was doing. */
  private guard<T>(doing: string, work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw sqliteFailure(error, this.path, doing);
    }
  }

  /**
   * A write a run makes. Under a fence (a view made by fencedBy) it runs in
   * an IMMEDIATE transaction that first checks the lease still names the
   * fence's holder: SQLite serialises writers, so no other process can take
   * the lease between the check and the write.
   */
  private runWrite<T>(doing: string, work: () => T): T {
    return this.guard(doing, () => {
      const fence = this.fence;
      if (fence === undefined) return work();
      return this.db
        .transaction(() => {
          const row = this.db.prepare("SELECT holder FROM leases WHERE pipeline = ?").get(fence.pipeline) as { holder: string } | undefined;
          if (row?.holder !== fence.holder) throw leaseLostError(fence, row?.holder);
          return work();
        })
        .immediate();
    });
  }

  fencedBy(fence: LeaseFence): StateStore {
    // The view shares this store's connection through its prototype; only the fence is its own, and closing it closes nothing.
    const view = Object.create(this) as SqliteStateStore;
    Object.defineProperty(view, "fence", { value: fence });
    Object.defineProperty(view, "close", { value: async () => undefined });
    return view;
  }

  get location(): string {
    return this.path;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  // Checkpoints

  async getCheckpoint(pipeline: string): Promise<SavedCheckpoint | undefined> {
    return this.guard(`read the checkpoint of pipeline ${pipeline}`, () => {
      const row = this.db.prepare("SELECT pipeline, state, run_id, updated_at FROM checkpoints WHERE pipeline = ?").get(pipeline) as
        | { pipeline: string; state: string; run_id: string | null; updated_at: string }
        | undefined;
      return row === undefined ? undefined : { pipeline: row.pipeline, state: parseJson(row.state), runId: row.run_id ?? undefined, updatedAt: row.updated_at };
    });
  }

  async setCheckpoint(pipeline: string, state: unknown, runId?: string): Promise<void> {
    return this.guard(`save the checkpoint of pipeline ${pipeline}`, () => {
      this.writeCheckpoint(pipeline, state, runId);
    });
  }

  private writeCheckpoint(pipeline: string, state: unknown, runId?: string): void {
    this.db
      .prepare(
        "INSERT INTO checkpoints (pipeline, state, run_id, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET state = excluded.state, run_id = excluded.run_id, updated_at = excluded.updated_at",
      )
      .run(pipeline, stringifyJson(state), runId ?? null, now());
  }

  async clearCheckpoint(pipeline: string): Promise<boolean> {
    return this.guard(`clear the checkpoint of pipeline ${pipeline}`, () => {
      return this.db.prepare("DELETE FROM checkpoints WHERE pipeline = ?").run(pipeline).changes > 0;
    });
  }

  // Runs

  async startRun(id: string, pipeline: string): Promise<void> {
    return this.runWrite(`record the start of run ${id}`, () => {
      this.db.prepare("INSERT INTO runs (id, pipeline, started_at, status) VALUES (?, ?, ?, 'running')").run(id, pipeline, now());
    });
  }

  /** Saves a newly confirmed checkpoint together with the run's progress, atomically. */
  async saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void> {
    return this.runWrite(`save the checkpoint of pipeline ${pipeline}`, () => {
      this.db.transaction(() => {
        this.writeCheckpoint(pipeline, state, runId);
        this.db.prepare("UPDATE runs SET progress = ? WHERE id = ?").run(JSON.stringify(progress), runId);
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
    return this.runWrite(`record the end of run ${runId}`, () => {
      this.db
        .prepare(
          "UPDATE runs SET ended_at = ?, status = ?, progress = ?, targets = ?, error = ?, error_code = ?, error_kind = ?, dead_lettered = (SELECT count(*) FROM dead_letters WHERE run_id = ?) WHERE id = ?",
        )
        .run(now(), status, JSON.stringify(progress), json(targets), failure?.message ?? null, failure?.code ?? null, failure?.kind ?? null, runId, runId);
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.guard(`read run ${id}`, () => {
      const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
      return row === undefined ? undefined : toRun(row);
    });
  }

  async listRuns(pipeline: string | undefined, limit: number): Promise<RunRecord[]> {
    return this.guard(`read the run history`, () => {
      const rows = (
        pipeline === undefined
          ? this.db.prepare("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?").all(limit)
          : this.db.prepare("SELECT * FROM runs WHERE pipeline = ? ORDER BY started_at DESC, rowid DESC LIMIT ?").all(pipeline, limit)
      ) as RunRow[];
      return rows.map(toRun);
    });
  }

  /** Runs left "running" by a runner that died: marked failed so history tells the truth. */
  async markAbandonedRuns(pipeline: string): Promise<number> {
    return this.runWrite(`mark unfinished runs of pipeline ${pipeline}`, () => {
      return this.db
        .prepare(
          "UPDATE runs SET status = 'failed', ended_at = ?, error = 'the runner stopped without finishing this run (killed?)', error_code = 'RUN_ABANDONED', error_kind = 'fatal' WHERE pipeline = ? AND status = 'running'",
        )
        .run(now(), pipeline).changes;
    });
  }

  // Leases: at most one run of a pipeline at a time, across processes sharing this store

  /**
   * Takes the pipeline's lease for `ttlMs` if it is free, expired, or already
   * ours. Atomic: SQLite serialises writers, so two workers cannot both win.
   */
  async acquireLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.guard(`take the lease of pipeline ${pipeline}`, () => {
      const now = Date.now();
      const result = this.db
        .prepare(
          `INSERT INTO leases (pipeline, holder, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE leases.expires_at < ? OR leases.holder = excluded.holder`,
        )
        .run(pipeline, holder, now + ttlMs, now);
      return result.changes === 1;
    });
  }

  /** Extends a lease we hold; false if it is no longer ours. */
  async renewLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.guard(`renew the lease of pipeline ${pipeline}`, () => {
      return this.db.prepare("UPDATE leases SET expires_at = ? WHERE pipeline = ? AND holder = ?").run(Date.now() + ttlMs, pipeline, holder).changes === 1;
    });
  }

  /** Hands a lease from a holder known to be dead to a new one; false if someone else got it first. */
  async takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.guard(`take over the lease of pipeline ${pipeline}`, () => {
      return (
        this.db.prepare("UPDATE leases SET holder = ?, expires_at = ? WHERE pipeline = ? AND holder = ?").run(holder, Date.now() + ttlMs, pipeline, deadHolder)
          .changes === 1
      );
    });
  }

  async releaseLease(pipeline: string, holder: string): Promise<void> {
    return this.guard(`release the lease of pipeline ${pipeline}`, () => {
      this.db.prepare("DELETE FROM leases WHERE pipeline = ? AND holder = ?").run(pipeline, holder);
    });
  }

  /** Who holds a pipeline's lease now, if anyone. */
  async leaseHolder(pipeline: string): Promise<string | undefined> {
    return this.guard(`read the lease of pipeline ${pipeline}`, () => {
      const row = this.db.prepare("SELECT holder FROM leases WHERE pipeline = ? AND expires_at >= ?").get(pipeline, Date.now()) as
        | { holder: string }
        | undefined;
      return row?.holder;
    });
  }

  // Schedules

  async getNextRun(pipeline: string): Promise<NextRun | undefined> {
    return this.guard(`read when pipeline ${pipeline} is due`, () => {
      const row = this.db.prepare("SELECT next_run_at, schedule FROM schedules WHERE pipeline = ?").get(pipeline) as
        | { next_run_at: string | null; schedule: string }
        | undefined;
      return row === undefined ? undefined : { at: row.next_run_at ?? undefined, schedule: row.schedule };
    });
  }

  async setNextRun(pipeline: string, next: NextRun): Promise<void> {
    return this.runWrite(`record when pipeline ${pipeline} is due`, () => {
      this.db
        .prepare(
          "INSERT INTO schedules (pipeline, next_run_at, schedule, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET next_run_at = excluded.next_run_at, schedule = excluded.schedule, updated_at = excluded.updated_at",
        )
        .run(pipeline, next.at ?? null, next.schedule, now());
    });
  }

  // Discovered catalogs

  async getCachedCatalog(key: string): Promise<CachedCatalog | undefined> {
    return this.guard(`read a cached catalog`, () => {
      const row = this.db.prepare("SELECT pipeline, catalog, discovered_at FROM catalogs WHERE cache_key = ?").get(key) as
        | { pipeline: string; catalog: string; discovered_at: string }
        | undefined;
      return row === undefined ? undefined : { pipeline: row.pipeline, catalog: JSON.parse(row.catalog) as unknown, discoveredAt: row.discovered_at };
    });
  }

  async saveCachedCatalog(key: string, pipeline: string, catalog: unknown): Promise<void> {
    return this.guard(`cache the catalog of pipeline ${pipeline}`, () => {
      this.db
        .prepare(
          "INSERT INTO catalogs (cache_key, pipeline, catalog, discovered_at) VALUES (?, ?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET pipeline = excluded.pipeline, catalog = excluded.catalog, discovered_at = excluded.discovered_at",
        )
        .run(key, pipeline, JSON.stringify(catalog), now());
    });
  }

  // Ad hoc pipelines

  async saveAdHocPipeline(pipeline: string, commands: AdHocCommands): Promise<void> {
    return this.guard(`remember ad hoc pipeline ${pipeline}`, () => {
      this.db
        .prepare(
          "INSERT INTO ad_hoc_pipelines (pipeline, commands, updated_at) VALUES (?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET commands = excluded.commands, updated_at = excluded.updated_at",
        )
        .run(pipeline, JSON.stringify(commands), now());
    });
  }

  async getAdHocPipeline(pipeline: string): Promise<AdHocCommands | undefined> {
    return this.guard(`read ad hoc pipeline ${pipeline}`, () => {
      const row = this.db.prepare("SELECT commands FROM ad_hoc_pipelines WHERE pipeline = ?").get(pipeline) as { commands: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.commands) as AdHocCommands);
    });
  }

  // Dead letters

  async addDeadLetter(entry: NewDeadLetter): Promise<number> {
    return this.runWrite(`store a dead letter of pipeline ${entry.pipeline}`, () =>
      this.db.transaction(() => {
        const refs = { schema: this.documentRef(entry.schema), checkpoint: this.documentRef(entry.checkpoint) };
        const result = this.db
          .prepare(
            `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(...deadLetterValues(entry, now(), refs));
        return Number(result.lastInsertRowid);
      })(),
    );
  }

  /** The id of the one stored copy of `value` (see DocumentTexts), stored now if it is new; null for no value. */
  private documentRef(value: unknown): number | null {
    const document = this.documents.of(value);
    if (document === undefined) return null;
    this.db.prepare("INSERT INTO dead_letter_documents (digest, body) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING").run(document.digest, document.text);
    return (this.db.prepare("SELECT id FROM dead_letter_documents WHERE digest = ?").get(document.digest) as { id: number }).id;
  }

  async listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return this.guard(`read the dead letters of pipeline ${filter.pipeline}`, () => {
      const { sql, values } = deadLetterWhere(filter, "sqlite");
      const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
      return (this.db.prepare(`SELECT * FROM dead_letters_full WHERE ${sql} ORDER BY id${limit}`).all(...values) as Array<Record<string, unknown>>).map(
        toDeadLetter,
      );
    });
  }

  async countDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.guard(`count the dead letters of pipeline ${filter.pipeline}`, () => {
      const { sql, values } = deadLetterWhere(filter, "sqlite");
      return (this.db.prepare(`SELECT count(*) AS n FROM dead_letters WHERE ${sql}`).get(...values) as { n: number }).n;
    });
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.guard(`read dead letter ${id}`, () => {
      const row = this.db.prepare("SELECT * FROM dead_letters_full WHERE id = ?").get(id) as Record<string, unknown> | undefined;
      return row === undefined ? undefined : toDeadLetter(row);
    });
  }

  /** Marks replayed entries done, and failed ones with another attempt, in one transaction. */
  async recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): Promise<void> {
    return this.runWrite(`record a replay`, () => {
      this.db.transaction(() => {
        const done = this.db.prepare("UPDATE dead_letters SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'");
        for (const id of succeeded) done.run(id);
        const again = this.db.prepare(`UPDATE dead_letters SET attempts = attempts + 1, last_error = ?, history = ${SQLITE_APPEND_EVENT} WHERE id = ?`);
        for (const { id, error } of failed) again.run(error, eventJson("replay_failed", error), id);
      })();
    });
  }

  async editDeadLetter(id: number, record: Record<string, unknown>, detail: string): Promise<void> {
    return this.guard(`edit dead letter ${id}`, () => {
      // Every expression reads the row as it was: an entry with an original gets the edit there, one without in processed.
      this.db
        .prepare(
          `UPDATE dead_letters SET original = CASE WHEN original IS NULL THEN NULL ELSE ? END, processed = CASE WHEN original IS NULL THEN ? ELSE NULL END, history = ${SQLITE_APPEND_EVENT} WHERE id = ?`,
        )
        .run(json(record), json(record), eventJson("edited", detail), id);
    });
  }

  async purgeDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.guard(`purge dead letters of pipeline ${filter.pipeline}`, () => {
      const { sql, values } = deadLetterWhere(filter, "sqlite");
      return this.db.transaction(() => {
        const purged = this.db.prepare(`DELETE FROM dead_letters WHERE ${sql}`).run(...values).changes;
        this.db.prepare(ORPHAN_DOCUMENTS).run();
        return purged;
      })();
    });
  }
}
