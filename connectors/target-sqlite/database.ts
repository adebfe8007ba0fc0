import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Database } from "better-sqlite3";
import { openSqlite } from "../../protocol/index.js";
import { databaseError } from "./sqlite-errors.js";

/**
 * Opens (creating if needed) the destination database in WAL mode with
 * `synchronous = FULL`: a committed batch survives a crash of the process
 * and of the machine, which is what confirming its STATE promises.
 */
export function openDatabase(path: string, busyTimeoutMs: number): Database {
  const file = resolve(path);
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw databaseError(Object.assign(error as Error, { code: "SQLITE_CANTOPEN" }), file, "create the database's directory");
  }
  try {
    const db = openSqlite(file, { timeout: busyTimeoutMs });
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    return db;
  } catch (error) {
    throw databaseError(error, file, "open the database");
  }
}
