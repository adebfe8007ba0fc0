import { DataError, FatalError, type AgoraError } from "../../protocol/index.js";
import { TargetSqliteCodes } from "./codes.js";

interface SqliteFailure {
  readonly code?: string;
  readonly message: string;
}

/** A better-sqlite3 error while storing one record, as an error naming stream, line and column. */
export function storeError(error: unknown, where: { stream: string; line: number | undefined; file: string }): AgoraError {
  const failure = error as SqliteFailure;
  const location = { stream: where.stream, file: where.file, ...(where.line === undefined ? {} : { line: where.line }) };
  const mismatch = /cannot store (\w+) value in (\w+) column [^.]+\.(.+)$/.exec(failure.message);
  if (failure.code === "SQLITE_CONSTRAINT_DATATYPE" && mismatch !== null) {
    const [, actual, expected, column] = mismatch as unknown as [string, string, string, string];
    return new DataError(TargetSqliteCodes.SQLITE_TYPE_MISMATCH, `cannot store a ${actual.toLowerCase()} value in ${expected} column ${column}`, {
      where: { ...location, field: column },
      hint: "The record does not match its schema: fix the value, or the schema (turn validate_records on to catch this earlier).",
      cause: error,
    });
  }
  if (failure.code === "SQLITE_MISMATCH") {
    return new DataError(TargetSqliteCodes.SQLITE_TYPE_MISMATCH, "a key value is not an integer, but the key column is INTEGER", {
      where: location,
      hint: "Fix the key value, or the schema's type for it.",
      cause: error,
    });
  }
  return databaseError(error, where.file, "write records");
}

/** Any other database failure: full disk, unwritable file, corruption. */
export function databaseError(error: unknown, file: string, action: string): FatalError {
  const failure = error as SqliteFailure;
  const code = failure.code ?? "";
  if (code === "SQLITE_FULL") {
    return new FatalError(TargetSqliteCodes.DISK_FULL, `the disk is full; cannot ${action}`, {
      where: { file },
      hint: "Free space and run again; nothing after the last confirmed STATE is lost.",
      cause: error,
    });
  }
  if (code === "SQLITE_CANTOPEN" || code.startsWith("SQLITE_READONLY") || code === "SQLITE_PERM") {
    return new FatalError(TargetSqliteCodes.DATABASE_UNWRITABLE, `cannot ${action}: the database is not writable (${failure.message})`, {
      where: { file },
      hint: 'Check that "database" points to a writable location.',
      cause: error,
    });
  }
  return new FatalError(TargetSqliteCodes.DATABASE_ERROR, `cannot ${action}: ${failure.message}${code === "" ? "" : ` (${code})`}`, {
    where: { file },
    cause: error,
  });
}
