import type pg from "pg";
import { ConfigError, FatalError, TransientError, type AgoraError } from "../../errors.js";
import { postgresProblem } from "../sql/postgres-problem.js";
import { readPostgresUrl } from "../postgres-url.js";
import type { CachedResponse, ResponseCache } from "./response-cache.js";
import { ProtocolCodes } from "../../messages/codes.js";

/** The server's clock in milliseconds: expiry is judged on one clock, whichever host asks. */
const SERVER_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/**
 * The response cache in Postgres, shared by taps on every host that points
 * at the same server: `postgres://user:password@host/database?schema=name`
 * (schema `agora` by default, the runner's state store's, so a pipeline can
 * keep its cache beside its checkpoints). The table is made on first use,
 * under an advisory lock, so taps starting at once make it once. Expiry is
 * on the server's clock.
 */
export class PostgresResponseCache implements ResponseCache {
  private readonly connectionString: string;
  private readonly schema: string;
  private readonly table: string;
  private readonly shown: string;
  private client: Promise<pg.Client> | undefined;

  constructor(location: string) {
    const parsed = readPostgresUrl(location);
    if (parsed === undefined) {
      throw new ConfigError(ProtocolCodes.HTTP_CACHE_LOCATION, "the HTTP cache's Postgres location is not a valid URL", {
        hint: "Write it as postgres://user:password@host:5432/database.",
      });
    }
    this.connectionString = parsed.connectionString;
    this.schema = parsed.schema;
    this.table = `${quote(parsed.schema)}.http_cache`;
    this.shown = parsed.shown;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const result = await this.query<{ status: number; headers: string; body: string }>(
      "read a cached response",
      `SELECT status, headers, body FROM ${this.table} WHERE key = $1 AND expires_at > ${SERVER_MS}`,
      [key],
    );
    const row = result.rows[0];
    return row === undefined ? undefined : { status: row.status, headers: JSON.parse(row.headers) as Record<string, string>, body: row.body };
  }

  async set(key: string, response: CachedResponse, ttlSeconds: number): Promise<void> {
    await this.query(
      "keep a response",
      `INSERT INTO ${this.table} (key, status, headers, body, expires_at) VALUES ($1, $2, $3, $4, ${SERVER_MS} + $5)
       ON CONFLICT (key) DO UPDATE SET status = excluded.status, headers = excluded.headers, body = excluded.body, expires_at = excluded.expires_at`,
      [key, response.status, JSON.stringify(response.headers), response.body, Math.round(ttlSeconds * 1000)],
    );
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }

  private async query<Row extends pg.QueryResultRow>(doing: string, sql: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      this.client ??= this.connect();
      return await (await this.client).query<Row>(sql, values);
    } catch (error) {
      throw this.failure(error, doing);
    }
  }

  /** Connects, makes the table if it is missing (once across taps starting together), and drops expired responses. */
  private async connect(): Promise<pg.Client> {
    const { default: driver } = await import("pg");
    const client = new driver.Client({ connectionString: this.connectionString, application_name: "agora-http-cache", connectionTimeoutMillis: 10_000 });
    // A connection the server drops fails the next query, which says so.
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`agora http cache ${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(this.schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (key text PRIMARY KEY, status integer NOT NULL, headers text NOT NULL, body text NOT NULL, expires_at bigint NOT NULL)`,
      );
      await client.query("COMMIT");
      await client.query(`DELETE FROM ${this.table} WHERE expires_at <= ${SERVER_MS}`);
    } catch (error) {
      this.client = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private failure(error: unknown, doing: string): AgoraError {
    if (error instanceof ConfigError) return error;
    const problem = postgresProblem(error);
    const code = problem.code ?? "";
    const message = problem.message;
    const where = { file: this.shown };
    if (problem.transient) {
      const says = problem.kind === "unreachable" ? "the server cannot be reached" : "the server is unavailable for now";
      return new TransientError(ProtocolCodes.HTTP_CACHE_UNAVAILABLE, `cannot ${doing} in the HTTP cache: ${says} (${code || message})`, {
        where,
        hint: "Check that the server is up and cache_path is right, or run without the cache (cache_ttl_seconds = 0).",
        cause: error,
      });
    }
    if (problem.kind === "login-refused" || problem.kind === "no-database" || problem.kind === "not-allowed") {
      return new ConfigError(ProtocolCodes.HTTP_CACHE_REFUSED, `cannot ${doing} in the HTTP cache: ${message} (SQLSTATE ${code})`, {
        where,
        hint: "Check the user, password and database in cache_path, and that the user may create the cache's schema and table.",
        cause: error,
      });
    }
    return new FatalError(ProtocolCodes.HTTP_CACHE_FAILED, `cannot ${doing} in the HTTP cache: ${message}${code === "" ? "" : ` (SQLSTATE ${code})`}`, {
      where,
      cause: error,
    });
  }
}
