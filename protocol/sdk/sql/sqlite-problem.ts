/*
 * What a failure of SQLite (better-sqlite3) means, read once for target-sqlite
 * and the runner's SQLite state store: by the primary result code of the
 * error's extended code (SQLITE_IOERR_WRITE is an I/O error). Each caller
 * says it in its own words and picks its own error code from the kind.
 */

export type SqliteProblemKind =
  /** Another connection holds a lock (SQLITE_BUSY, SQLITE_LOCKED). */
  | "busy"
  /** The disk is full (SQLITE_FULL). */
  | "disk-full"
  /** The disk reported an I/O error (SQLITE_IOERR). */
  | "io"
  /** The file or its folder cannot be written (SQLITE_READONLY, SQLITE_PERM). */
  | "read-only"
  /** The file cannot be opened or created (SQLITE_CANTOPEN). */
  | "cannot-open"
  /** The file is damaged (SQLITE_CORRUPT). */
  | "corrupt"
  /** The file is not a SQLite database (SQLITE_NOTADB). */
  | "not-a-database"
  /** A value of the wrong type for a STRICT column, or a non-integer for an INTEGER key (SQLITE_CONSTRAINT_DATATYPE, SQLITE_MISMATCH). */
  | "type-mismatch"
  /** Any other error SQLite reported. */
  | "sqlite-error"
  /** Not an error of SQLite at all. */
  | "not-sqlite";

export interface SqliteProblem {
  readonly kind: SqliteProblemKind;
  /** The extended result code (SQLITE_IOERR_WRITE), when there is one. */
  readonly code: string | undefined;
  /** What SQLite said. */
  readonly message: string;
}

/** Primary (or exact extended) result codes, in the order they are tried. */
const BY_CODE: ReadonlyArray<[string, SqliteProblemKind]> = [
  ["SQLITE_CONSTRAINT_DATATYPE", "type-mismatch"],
  ["SQLITE_MISMATCH", "type-mismatch"],
  ["SQLITE_BUSY", "busy"],
  ["SQLITE_LOCKED", "busy"],
  ["SQLITE_FULL", "disk-full"],
  ["SQLITE_IOERR", "io"],
  ["SQLITE_READONLY", "read-only"],
  ["SQLITE_PERM", "read-only"],
  ["SQLITE_CANTOPEN", "cannot-open"],
  ["SQLITE_CORRUPT", "corrupt"],
  ["SQLITE_NOTADB", "not-a-database"],
];

/** The kind of a better-sqlite3 failure. */
export function sqliteProblem(error: unknown): SqliteProblem {
  const code = typeof (error as { code?: unknown } | null)?.code === "string" ? (error as { code: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code === undefined || !code.startsWith("SQLITE_")) return { kind: "not-sqlite", code, message };
  const known = BY_CODE.find(([primary]) => code === primary || code.startsWith(`${primary}_`));
  return { kind: known?.[1] ?? "sqlite-error", code, message };
}
