import type pg from "pg";
import { DocumentTexts } from "../dead-letter-documents.js";
import { leaseLostError, type LeaseFence } from "../lease-fence.js";
import { quoteIdentifier } from "../../../protocol/index.js";
import { migratePostgres } from "./migrations.js";
import { postgresFailure } from "./postgres-failure.js";
import { parsePostgresLocation } from "./postgres-location.js";

/** Clients inside a transaction a store began: a write nested in a fenced one joins it. */
const inTransaction = new WeakSet<pg.PoolClient>();

/** A store's pool and migration, made on first use and shared by its fenced views. */
interface Shared {
  pool?: pg.Pool | undefined;
  ready?: Promise<void> | undefined;
}

/**
 * The Postgres connection every part of the store works through: a pool
 * made on first use (the driver is loaded only by those who use Postgres),
 * the schema migrated before the first operation, each operation bounded
 * in time (`?timeout=`), run by `guard` (a failure becomes one clear error
 * saying what the store was doing) or, for a write a run makes, by
 * `runWrite`, checked against its lease on a fenced view.
 */
export class PostgresHandle {
  private constructor(
    readonly location: string,
    private readonly schema: string,
    private readonly connectionString: string,
    /** How long a connection or a statement may take (`?timeout=` in the location, 30 s by default). */
    private readonly timeoutMs: number,
    private readonly shared: Shared,
    readonly documents: DocumentTexts,
    /** Set on a view made by fenced: the lease its run writes stand on. */
    private readonly fence: LeaseFence | undefined,
  ) {}

  /** The store at `location` (postgres://…); nothing connects until the first operation. */
  static at(location: string): PostgresHandle {
    const parsed = parsePostgresLocation(location);
    return new PostgresHandle(parsed.shown, parsed.schema, parsed.connectionString, parsed.timeoutMs, {}, new DocumentTexts(), undefined);
  }

  /** The same pool, its run writes standing on `fence`. */
  fenced(fence: LeaseFence): PostgresHandle {
    return new PostgresHandle(this.location, this.schema, this.connectionString, this.timeoutMs, this.shared, this.documents, fence);
  }

  async close(): Promise<void> {
    await this.shared.pool?.end();
  }

  /** The connection pool, made on first use. */
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
  async guard<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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

  /** Runs `work` in one transaction: all of it, or none. Inside a fenced write's transaction already, it joins it: one COMMIT. */
  async transaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
    if (inTransaction.has(client)) return work();
    inTransaction.add(client);
    try {
      await client.query("BEGIN");
      try {
        const result = await work();
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    } finally {
      inTransaction.delete(client);
    }
  }

  /**
   * A write a run makes. Under a fence (a view made by fenced) it runs in a
   * transaction that first reads the pipeline's lease FOR SHARE: another
   * process taking the lease waits for this write to commit, and a lease
   * that names another holder refuses it.
   */
  async runWrite<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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
}
