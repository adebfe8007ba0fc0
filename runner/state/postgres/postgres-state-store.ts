import type pg from "pg";
import type { StateStore } from "../interfaces.js";
import { leaseLostError, type LeaseFence } from "../lease-fence.js";
import { DEAD_LETTER_COLUMNS, deadLetterValues, eventJson, json, toDeadLetter, toRun, type RunRow } from "../rows.js";
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
import { migratePostgres, quoteIdentifier } from "./migrations.js";
import { postgresFailure } from "./postgres-failure.js";
import { parsePostgresLocation } from "./postgres-location.js";
import { deadLetterWhere } from "../dead-letter-where.js";
import { DocumentTexts, ORPHAN_DOCUMENTS } from "../dead-letter-documents.js";
import { parseJson, stringifyJson } from "../../../protocol/index.js";

const now = (): string => new Date().toISOString();

/** The server's clock in milliseconds: leases are compared on one clock, whichever host asks. */
const SERVER_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/**
 * The runner's state store on Postgres, for teams: several workers on
 * several hosts share checkpoints, run history, dead letters and leases
 * through one server. Same tables and semantics as the SQLite store (and
 * the same contract suite); its tables live in a schema of their own
 * (`agora`, or `?schema=` in the URL). Opening is lazy: the pool connects
 * and migrates on the first operation, and a failure there is that
 * operation's error.
 */
export class PostgresStateStore implements StateStore {
  readonly location: string;
  private readonly schema: string;
  private readonly connectionString: string;
  /** How long a connection or a statement may take (`?timeout=` in the location, 30 s by default). */
  private readonly timeoutMs: number;
  /** Made on first use; an object, so views made by fencedBy share them. */
  private readonly shared: { pool?: pg.Pool | undefined; ready?: Promise<void> | undefined } = {};
  /** Set on a view made by fencedBy: the lease its writes stand on. */
  private readonly fence: LeaseFence | undefined = undefined;
  private readonly documents = new DocumentTexts();

  constructor(location: string) {
    const parsed = parsePostgresLocation(location);
    this.location = parsed.shown;
    this.schema = parsed.schema;
    this.connectionString = parsed.connectionString;
    this.timeoutMs = parsed.timeoutMs;
  }

  async close(): Promise<void> {
    await this.shared.pool?.end();
  }

  /** The connection pool, made on first use (the driver is loaded only by those who use Postgres). */
  private async connection(): Promise<pg.PoolClient> {
    if (this.shared.pool === undefined) {
      const { default: driver } = await import("pg");
      // Bounded in time: a server that stops answering (frozen, cut off) fails each operation after timeoutMs, never hangs it.
      const pool = new driver.Pool({
        connectionString: this.connectionString,
        max: 4,
        connectionTimeoutMillis: this.timeoutMs,
        query_timeout: this.timeoutMs,
        statement_timeout: this.timeoutMs,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        idleTimeoutMillis: 10_000,
        application_name: "agora",
      });
      // Every connection works in the store's schema.
      pool.on("connect", (client) => {
        client.query(`SET search_path TO ${quoteIdentifier(this.schema)}`).catch(() => undefined);
      });
      // An idle connection the server dropped is replaced on next use; nothing to do here.
      pool.on("error", () => undefined);
      this.shared.pool ??= pool;
    }
    return this.shared.pool.connect();
  }

  /** Runs one operation once the schema is migrated; a failure becomes one clear error saying what the store was doing. */
  private async guard<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      this.shared.ready ??= this.migrate();
      await this.shared.ready;
      const client = await this.connection();
      try {
        return await work(client);
      } finally {
        client.release();
      }
    } catch (error) {
      throw postgresFailure(error, this.location, doing);
    }
  }

  private async migrate(): Promise<void> {
    const client = await this.connection();
    try {
      await client.query(`SET search_path TO ${quoteIdentifier(this.schema)}`);
      await migratePostgres(client, this.schema);
    } catch (error) {
      // The next operation tries again (the server may be back by then).
      this.shared.ready = undefined;
      throw error;
    } finally {
      client.release();
    }
  }

  /** Runs `work` in one transaction: all of it, or none. */
  private async transaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
    // Inside a fenced write's transaction already: one transaction, one COMMIT.
    if (inTransaction.has(client)) return work();
    inTransaction.add(client);
    try {
      return await this.oneTransaction(client, work);
    } finally {
      inTransaction.delete(client);
    }
  }

  private async oneTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
    await client.query("BEGIN");
    try {
      const result = await work();
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  /**
   * A write a run makes. Under a fence (a view made by fencedBy) it runs in a
   * transaction that first reads the pipeline's lease FOR SHARE: another
   * process taking the lease waits for this write to commit, and a lease
   * that names another holder refuses it.
   */
  private async runWrite<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const fence = this.fence;
    if (fence === undefined) return this.guard(doing, work);
    return this.guard(doing, (client) =>
      this.transaction(client, async () => {
        const row = (await client.query<{ holder: string }>("SELECT holder FROM leases WHERE pipeline = $1 FOR SHARE", [fence.pipeline])).rows[0];
        if (row?.holder !== fence.holder) throw leaseLostError(fence, row?.holder);
        return work(client);
      }),
    );
  }

  fencedBy(fence: LeaseFence): StateStore {
    // The view shares this store's pool through its prototype; only the fence is its own, and closing it closes nothing.
    const view = Object.create(this) as PostgresStateStore;
    Object.defineProperty(view, "fence", { value: fence });
    Object.defineProperty(view, "close", { value: async () => undefined });
    return view;
  }

  // Checkpoints

  async getCheckpoint(pipeline: string): Promise<SavedCheckpoint | undefined> {
    return this.guard(`read the checkpoint of pipeline ${pipeline}`, async (client) => {
      const row = (
        await client.query<{ pipeline: string; state: string; run_id: string | null; updated_at: string }>(
          "SELECT pipeline, state, run_id, updated_at FROM checkpoints WHERE pipeline = $1",
          [pipeline],
        )
      ).rows[0];
      return row === undefined ? undefined : { pipeline: row.pipeline, state: parseJson(row.state), runId: row.run_id ?? undefined, updatedAt: row.updated_at };
    });
  }

  async setCheckpoint(pipeline: string, state: unknown, runId?: string): Promise<void> {
    return this.guard(`save the checkpoint of pipeline ${pipeline}`, async (client) => {
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
    return this.guard(
      `clear the checkpoint of pipeline ${pipeline}`,
      async (client) => ((await client.query("DELETE FROM checkpoints WHERE pipeline = $1", [pipeline])).rowCount ?? 0) > 0,
    );
  }

  /** Saves a newly confirmed checkpoint together with the run's progress, atomically. */
  async saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void> {
    return this.runWrite(`save the checkpoint of pipeline ${pipeline}`, (client) =>
      this.transaction(client, async () => {
        await this.writeCheckpoint(client, pipeline, state, runId);
        await client.query("UPDATE runs SET progress = $1 WHERE id = $2", [JSON.stringify(progress), runId]);
      }),
    );
  }

  // Runs

  async startRun(id: string, pipeline: string): Promise<void> {
    return this.runWrite(`record the start of run ${id}`, async (client) => {
      await client.query("INSERT INTO runs (id, pipeline, started_at, status) VALUES ($1, $2, $3, 'running')", [id, pipeline, now()]);
    });
  }

  async finishRun(
    runId: string,
    status: Exclude<RunStatus, "running">,
    progress: RunProgress,
    failure?: RunFailure,
    targets?: readonly TargetProgress[],
  ): Promise<void> {
    return this.runWrite(`record the end of run ${runId}`, async (client) => {
      await client.query(
        "UPDATE runs SET ended_at = $1, status = $2, progress = $3, error = $4, error_code = $5, error_kind = $6, dead_lettered = (SELECT count(*) FROM dead_letters WHERE run_id = $7), targets = $8 WHERE id = $7",
        [now(), status, JSON.stringify(progress), failure?.message ?? null, failure?.code ?? null, failure?.kind ?? null, runId, json(targets)],
      );
    });
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.guard(`read run ${id}`, async (client) => {
      const row = (await client.query<RunRow>("SELECT * FROM runs WHERE id = $1", [id])).rows[0];
      return row === undefined ? undefined : toRun(row);
    });
  }

  async listRuns(pipeline: string | undefined, limit: number): Promise<RunRecord[]> {
    return this.guard("read the run history", async (client) => {
      const result =
        pipeline === undefined
          ? await client.query<RunRow>("SELECT * FROM runs ORDER BY started_at DESC, seq DESC LIMIT $1", [limit])
          : await client.query<RunRow>("SELECT * FROM runs WHERE pipeline = $1 ORDER BY started_at DESC, seq DESC LIMIT $2", [pipeline, limit]);
      return result.rows.map(toRun);
    });
  }

  /** Runs left "running" by a runner that died: marked failed so history tells the truth. */
  async markAbandonedRuns(pipeline: string): Promise<number> {
    return this.runWrite(`mark unfinished runs of pipeline ${pipeline}`, async (client) => {
      const result = await client.query(
        "UPDATE runs SET status = 'failed', ended_at = $1, error = 'the runner stopped without finishing this run (killed?)', error_code = 'RUN_ABANDONED', error_kind = 'fatal' WHERE pipeline = $2 AND status = 'running'",
        [now(), pipeline],
      );
      return result.rowCount ?? 0;
    });
  }

  // Leases: at most one run of a pipeline at a time, across every process and host sharing this store

  /** Takes the pipeline's lease if it is free, expired, or already ours: one statement, so two workers cannot both win. */
  async acquireLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.guard(`take the lease of pipeline ${pipeline}`, async (client) => {
      const result = await client.query(
        `INSERT INTO leases (pipeline, holder, expires_at) VALUES ($1, $2, ${SERVER_MS} + $3)
         ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.expires_at < ${SERVER_MS} OR leases.holder = excluded.holder`,
        [pipeline, holder, Math.round(ttlMs)],
      );
      return result.rowCount === 1;
    });
  }

  /** Extends a lease we hold; false if it is no longer ours. */
  async renewLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.guard(
      `renew the lease of pipeline ${pipeline}`,
      async (client) =>
        (await client.query(`UPDATE leases SET expires_at = ${SERVER_MS} + $1 WHERE pipeline = $2 AND holder = $3`, [Math.round(ttlMs), pipeline, holder]))
          .rowCount === 1,
    );
  }

  /** Hands a lease from a holder known to be dead to a new one; false if someone else got it first. */
  async takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.guard(
      `take over the lease of pipeline ${pipeline}`,
      async (client) =>
        (
          await client.query(`UPDATE leases SET holder = $1, expires_at = ${SERVER_MS} + $2 WHERE pipeline = $3 AND holder = $4`, [
            holder,
            Math.round(ttlMs),
            pipeline,
            deadHolder,
          ])
        ).rowCount === 1,
    );
  }

  async releaseLease(pipeline: string, holder: string): Promise<void> {
    return this.guard(`release the lease of pipeline ${pipeline}`, async (client) => {
      await client.query("DELETE FROM leases WHERE pipeline = $1 AND holder = $2", [pipeline, holder]);
    });
  }

  /** Who holds a pipeline's lease now, if anyone. */
  async leaseHolder(pipeline: string): Promise<string | undefined> {
    return this.guard(
      `read the lease of pipeline ${pipeline}`,
      async (client) =>
        (await client.query<{ holder: string }>(`SELECT holder FROM leases WHERE pipeline = $1 AND expires_at >= ${SERVER_MS}`, [pipeline])).rows[0]?.holder,
    );
  }

  // Schedules

  async getNextRun(pipeline: string): Promise<NextRun | undefined> {
    return this.guard(`read when pipeline ${pipeline} is due`, async (client) => {
      const row = (
        await client.query<{ next_run_at: string | null; schedule: string }>("SELECT next_run_at, schedule FROM schedules WHERE pipeline = $1", [pipeline])
      ).rows[0];
      return row === undefined ? undefined : { at: row.next_run_at ?? undefined, schedule: row.schedule };
    });
  }

  async setNextRun(pipeline: string, next: NextRun): Promise<void> {
    return this.runWrite(`record when pipeline ${pipeline} is due`, async (client) => {
      await client.query(
        "INSERT INTO schedules (pipeline, next_run_at, schedule, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (pipeline) DO UPDATE SET next_run_at = excluded.next_run_at, schedule = excluded.schedule, updated_at = excluded.updated_at",
        [pipeline, next.at ?? null, next.schedule, now()],
      );
    });
  }

  // Discovered catalogs

  async getCachedCatalog(key: string): Promise<CachedCatalog | undefined> {
    return this.guard("read a cached catalog", async (client) => {
      const row = (
        await client.query<{ pipeline: string; catalog: string; discovered_at: string }>(
          "SELECT pipeline, catalog, discovered_at FROM catalogs WHERE cache_key = $1",
          [key],
        )
      ).rows[0];
      return row === undefined ? undefined : { pipeline: row.pipeline, catalog: JSON.parse(row.catalog) as unknown, discoveredAt: row.discovered_at };
    });
  }

  async saveCachedCatalog(key: string, pipeline: string, catalog: unknown): Promise<void> {
    return this.guard(`cache the catalog of pipeline ${pipeline}`, async (client) => {
      await client.query(
        "INSERT INTO catalogs (cache_key, pipeline, catalog, discovered_at) VALUES ($1, $2, $3, $4) ON CONFLICT (cache_key) DO UPDATE SET pipeline = excluded.pipeline, catalog = excluded.catalog, discovered_at = excluded.discovered_at",
        [key, pipeline, JSON.stringify(catalog), now()],
      );
    });
  }

  // Ad hoc pipelines

  async saveAdHocPipeline(pipeline: string, commands: AdHocCommands): Promise<void> {
    return this.guard(`remember ad hoc pipeline ${pipeline}`, async (client) => {
      await client.query(
        "INSERT INTO ad_hoc_pipelines (pipeline, commands, updated_at) VALUES ($1, $2, $3) ON CONFLICT (pipeline) DO UPDATE SET commands = excluded.commands, updated_at = excluded.updated_at",
        [pipeline, JSON.stringify(commands), now()],
      );
    });
  }

  async getAdHocPipeline(pipeline: string): Promise<AdHocCommands | undefined> {
    return this.guard(`read ad hoc pipeline ${pipeline}`, async (client) => {
      const row = (await client.query<{ commands: string }>("SELECT commands FROM ad_hoc_pipelines WHERE pipeline = $1", [pipeline])).rows[0];
      return row === undefined ? undefined : (JSON.parse(row.commands) as AdHocCommands);
    });
  }

  // Dead letters

  async addDeadLetter(entry: NewDeadLetter): Promise<number> {
    return this.runWrite(`store a dead letter of pipeline ${entry.pipeline}`, (client) =>
      this.transaction(client, async () => {
        const refs = { schema: await this.documentRef(client, entry.schema), checkpoint: await this.documentRef(client, entry.checkpoint) };
        const result = await client.query<{ id: string }>(
          `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
          deadLetterValues(entry, now(), refs),
        );
        return Number(result.rows[0]?.id);
      }),
    );
  }

  /** The id of the one stored copy of `value` (see DocumentTexts), stored now if it is new; null for no value. */
  private async documentRef(client: pg.PoolClient, value: unknown): Promise<number | null> {
    const document = this.documents.of(value);
    if (document === undefined) return null;
    // A purge removes documents no dead letter refers to: it waits for this transaction (see purgeDeadLetters).
    await client.query("LOCK TABLE dead_letter_documents IN ROW EXCLUSIVE MODE");
    await client.query("INSERT INTO dead_letter_documents (digest, body) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING", [document.digest, document.text]);
    const row = (await client.query<{ id: string }>("SELECT id FROM dead_letter_documents WHERE digest = $1", [document.digest])).rows[0];
    return Number(row?.id);
  }

  async listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return this.guard(`read the dead letters of pipeline ${filter.pipeline}`, async (client) => {
      const { sql, values } = deadLetterWhere(filter, "postgres");
      const limit = filter.limit === undefined ? "" : ` LIMIT ${Math.max(0, Math.floor(filter.limit))}`;
      return (await client.query<Record<string, unknown>>(`SELECT * FROM dead_letters_full WHERE ${sql} ORDER BY id${limit}`, values)).rows.map(
        toDeadLetterRow,
      );
    });
  }

  async countDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.guard(`count the dead letters of pipeline ${filter.pipeline}`, async (client) => {
      const { sql, values } = deadLetterWhere(filter, "postgres");
      return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM dead_letters WHERE ${sql}`, values)).rows[0]?.n ?? 0);
    });
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.guard(`read dead letter ${id}`, async (client) => {
      const row = (await client.query<Record<string, unknown>>("SELECT * FROM dead_letters_full WHERE id = $1", [id])).rows[0];
      return row === undefined ? undefined : toDeadLetterRow(row);
    });
  }

  /** Marks replayed entries done, and failed ones with another attempt, in one transaction. */
  async recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): Promise<void> {
    return this.runWrite("record a replay", (client) =>
      this.transaction(client, async () => {
        if (succeeded.length > 0)
          await client.query(
            "UPDATE dead_letters SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[]) AND status = 'pending'",
            [succeeded],
          );
        for (const { id, error } of failed) {
          await client.query(`UPDATE dead_letters SET attempts = attempts + 1, last_error = $1, history = ${postgresAppendEvent(3)} WHERE id = $2`, [
            error,
            id,
            eventJson("replay_failed", error),
          ]);
        }
      }),
    );
  }

  async editDeadLetter(id: number, record: Record<string, unknown>, detail: string): Promise<void> {
    await this.guard(`edit dead letter ${id}`, (client) =>
      // Every expression reads the row as it was: an entry with an original gets the edit there, one without in processed.
      client.query(
        `UPDATE dead_letters SET original = CASE WHEN original IS NULL THEN NULL ELSE $1 END, processed = CASE WHEN original IS NULL THEN $1 ELSE NULL END, history = ${postgresAppendEvent(2)} WHERE id = $3`,
        [json(record), eventJson("edited", detail), id],
      ),
    );
  }

  async purgeDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.guard(`purge dead letters of pipeline ${filter.pipeline}`, async (client) => {
      const { sql, values } = deadLetterWhere(filter, "postgres");
      return this.transaction(client, async () => {
        const purged = (await client.query(`DELETE FROM dead_letters WHERE ${sql}`, values)).rowCount ?? 0;
        // Conflicts with the ROW EXCLUSIVE lock a dead letter's insert takes: no document goes while one is being referred to.
        await client.query("LOCK TABLE dead_letter_documents IN SHARE ROW EXCLUSIVE MODE");
        await client.query(ORPHAN_DOCUMENTS);
        return purged;
      });
    });
  }
}

/** Clients inside a transaction this store began: a write nested in a fenced one joins it. */
const inTransaction = new WeakSet<pg.PoolClient>();

/** Appends the event (JSON text, parameter `n`) to a dead letter's history. */
function postgresAppendEvent(n: number): string {
  return `(coalesce(history, '[]')::jsonb || jsonb_build_array($${n}::jsonb))::text`;
}

/** Postgres returns BIGSERIAL ids as strings: numbers here, as the runner uses them. */
function toDeadLetterRow(row: Record<string, unknown>): DeadLetter {
  return toDeadLetter({ ...row, id: Number(row["id"]) });
}
