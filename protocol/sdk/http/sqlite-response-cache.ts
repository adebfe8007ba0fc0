import { ensurePrivateFile } from "../durable-files.js";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Database } from "better-sqlite3";
import { openSqlite } from "../sql/open-sqlite.js";
import type { CachedResponse, ResponseCache } from "./response-cache.js";

/** The response cache in a SQLite file of the tap's (WAL: several taps on one host may share it). */
export class SqliteResponseCache implements ResponseCache {
  private readonly db: Database;

  constructor(path: string) {
    const file = path === ":memory:" ? path : resolve(path);
    if (file !== ":memory:") {
      mkdirSync(dirname(file), { recursive: true });
      // Cached responses may hold what an API returned to a credential: the owner's only.
      ensurePrivateFile(file);
    }
    this.db = openSqlite(file, { timeout: 10_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.exec(
      "CREATE TABLE IF NOT EXISTS http_cache (key TEXT PRIMARY KEY, status INTEGER NOT NULL, headers TEXT NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL)",
    );
    // Expired responses are never read again: dropped at each opening, so the file does not grow without end.
    this.db.prepare("DELETE FROM http_cache WHERE expires_at <= ?").run(Date.now());
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const row = this.db.prepare("SELECT status, headers, body FROM http_cache WHERE key = ? AND expires_at > ?").get(key, Date.now()) as
      | { status: number; headers: string; body: string }
      | undefined;
    return row === undefined ? undefined : { status: row.status, headers: JSON.parse(row.headers) as Record<string, string>, body: row.body };
  }

  async set(key: string, response: CachedResponse, ttlSeconds: number): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO http_cache (key, status, headers, body, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET status = excluded.status, headers = excluded.headers, body = excluded.body, expires_at = excluded.expires_at",
      )
      .run(key, response.status, JSON.stringify(response.headers), response.body, Date.now() + ttlSeconds * 1000);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
