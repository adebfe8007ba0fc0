import type { Database } from "better-sqlite3";

/** A name as SQLite compares it: ASCII letters in lower case, every other character as it is. */
export function sqliteCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** The names of the main database's tables and views, as SQLite compares them. */
export function tableNames(db: Database): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')").pluck().all() as string[];
  return new Set(rows.map(sqliteCase));
}
