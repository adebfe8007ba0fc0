import { isPostgresUrl } from "../postgres-url.js";
import type { ResponseCache } from "./response-cache.js";

/** Opens the cache at `location`: a postgres:// URL, or else a SQLite file's path. Each driver is loaded only by those who use it. */
export async function openResponseCache(location: string): Promise<ResponseCache> {
  if (isPostgresUrl(location)) {
    const { PostgresResponseCache } = await import("./postgres-response-cache.js");
    return new PostgresResponseCache(location);
  }
  const { SqliteResponseCache } = await import("./sqlite-response-cache.js");
  return new SqliteResponseCache(location);
}
