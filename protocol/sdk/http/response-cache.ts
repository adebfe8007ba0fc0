import { isPostgresUrl } from "../postgres-url.js";

export interface CachedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Responses kept for a time-to-live under a key (a digest of the request),
 * across runs: in a SQLite file of the tap's, or in Postgres, where taps on
 * several hosts share one cache.
 */
export interface ResponseCache {
  /** The response kept under `key`, unless there is none or it has expired. */
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, response: CachedResponse, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens the cache at `location`: a postgres:// URL, or else a SQLite file's path. Each driver is loaded only by those who use it. */
export async function openResponseCache(location: string): Promise<ResponseCache> {
  if (isPostgresUrl(location)) {
    const { PostgresResponseCache } = await import("./postgres-response-cache.js");
    return new PostgresResponseCache(location);
  }
  const { SqliteResponseCache } = await import("./sqlite-response-cache.js");
  return new SqliteResponseCache(location);
}
