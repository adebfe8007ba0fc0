import { writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";

/** Writes a file in `dir` and returns its path. */
export function writeIn(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Writes a JSON file in `dir` and returns its path. */
export function writeJsonIn(dir: string, name: string, value: unknown): string {
  return writeIn(dir, name, JSON.stringify(value));
}

/** Every row of a SQLite table, ordered by rowid (or by `orderBy`). */
export function tableRows(database: string, table: string, orderBy = "rowid"): Array<Record<string, unknown>> {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    return db.prepare(`SELECT * FROM "${table}" ORDER BY ${orderBy}`).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** One SQL query's rows. */
export function query(database: string, sql: string): Array<Record<string, unknown>> {
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    return db.prepare(sql).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

type Message = Record<string, unknown>;

/** The records of a stream (or of every stream) in tap output. */
export function recordsOf(messages: readonly Message[], stream?: string): Array<Record<string, unknown>> {
  return messages
    .filter((message) => message["type"] === "RECORD" && (stream === undefined || message["stream"] === stream))
    .map((message) => message["record"] as Record<string, unknown>);
}

export function statesOf(messages: readonly Message[]): unknown[] {
  return messages.filter((message) => message["type"] === "STATE").map((message) => message["value"]);
}
