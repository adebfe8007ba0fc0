import { createRequire } from "node:module";
import type BetterSqlite3 from "better-sqlite3";

let loaded: typeof BetterSqlite3 | undefined;

/**
 * Opens a SQLite database with better-sqlite3, which is loaded at the first
 * open with require: imported into an ES module, the CommonJS package is first
 * scanned by Node for its named exports, about 4 ms at each start of the
 * runner and of target-sqlite (docs/performance.md).
 */
export function openSqlite(file: string, options?: BetterSqlite3.Options): BetterSqlite3.Database {
  loaded ??= createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;
  return new loaded(file, options);
}
