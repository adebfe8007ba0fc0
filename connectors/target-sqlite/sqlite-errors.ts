import { DataError, FatalError, sqliteProblem, type AgoraError } from "../../protocol/index.js";
import { TargetSqliteCodes } from "./codes.js";

/** A better-sqlite3 error while storing one record, as an error naming stream, line and column. */
export function storeError(error: unknown, where: { stream: string; line: number | undefined; file: string }): AgoraError {
  const problem = sqliteProblem(error);
  const location = { stream: where.stream, file: where.file, ...(where.line === undefined ? {} : { line: where.line }) };
  if (problem.kind !== "type-mismatch") return databaseError(error, where.file, "write records");
  const mismatch = /cannot store (\w+) value in (\w+) column [^.]+\.(.+)$/.exec(problem.message);
  if (mismatch !== null) {
    const [, actual, expected, column] = mismatch as unknown as [string, string, string, string];
    return new DataError(TargetSqliteCodes.SQLITE_TYPE_MISMATCH, `cannot store a ${actual.toLowerCase()} value in ${expected} column ${column}`, {
      where: { ...location, field: column },
      hint: "The record does not match its schema: fix the value, or the schema (turn validate_records on to catch this earlier).",
      cause: error,
    });
  }
  // SQLITE_MISMATCH: only an INTEGER PRIMARY KEY refuses a value this way.
  if (problem.code !== "SQLITE_MISMATCH") return databaseError(error, where.file, "write records");
  return new DataError(TargetSqliteCodes.SQLITE_TYPE_MISMATCH, "a key value is not an integer, but the key column is INTEGER", {
    where: location,
    hint: "Fix the key value, or the schema's type for it.",
    cause: error,
  });
}

/** Any other database failure: full disk, unwritable file, corruption. */
export function databaseError(error: unknown, file: string, action: string): FatalError {
  const problem = sqliteProblem(error);
  if (problem.kind === "disk-full") {
    return new FatalError(TargetSqliteCodes.DISK_FULL, `the disk is full; cannot ${action}`, {
      where: { file },
      hint: "Free space and run again; nothing after the last confirmed STATE is lost.",
      cause: error,
    });
  }
  if (problem.kind === "cannot-open" || problem.kind === "read-only") {
    return new FatalError(TargetSqliteCodes.DATABASE_UNWRITABLE, `cannot ${action}: the database is not writable (${problem.message})`, {
      where: { file },
      hint: 'Check that "database" points to a writable location.',
      cause: error,
    });
  }
  return new FatalError(TargetSqliteCodes.DATABASE_ERROR, `cannot ${action}: ${problem.message}${problem.code === undefined ? "" : ` (${problem.code})`}`, {
    where: { file },
    ...(problem.kind === "busy"
      ? { hint: "Another connection held the database's write lock for longer than busy_timeout_ms: stop it, or raise busy_timeout_ms, and run again." }
      : {}),
    cause: error,
  });
}
