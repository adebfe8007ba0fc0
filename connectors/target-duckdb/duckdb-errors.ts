import { AgoraError, DataError, FatalError } from "../../protocol/index.js";
import { TargetDuckdbCodes } from "./codes.js";

/** DuckDB's message without its trailing detail lines (LINE 1: …), which quote SQL rather than explain. */
function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split("\n")[0] ?? "";
}

/**
 * A DuckDB failure as one clear error: a value the table refuses (a
 * conversion, a constraint) is a DataError naming the stream; a database
 * another process holds, or any other failure, a FatalError naming the file.
 */
export function duckdbError(error: unknown, file: string, action: string, stream?: string): AgoraError {
  if (error instanceof AgoraError) return error;
  const message = firstLine(error);
  const where = { file, ...(stream === undefined ? {} : { stream }) };
  if (/^(Conversion|Constraint|Invalid Input) Error/.test(message)) {
    return new DataError(TargetDuckdbCodes.DUCKDB_VALUE_REFUSED, `cannot ${action}: ${message}`, {
      where,
      hint: "Fix the value at the source, or the stream's schema if the column's type is wrong; nothing of this batch was written.",
      cause: error,
    });
  }
  if (/lock/i.test(message)) {
    return new FatalError(TargetDuckdbCodes.DUCKDB_LOCKED, `cannot ${action}: the database is open in another process (${message})`, {
      where,
      hint: "DuckDB lets one process write a database: close the other one (a duckdb shell, a notebook), then run again.",
      cause: error,
    });
  }
  return new FatalError(TargetDuckdbCodes.DUCKDB_FAILED, `cannot ${action}: ${message}`, {
    where,
    hint: "Check the database path and the disk.",
    cause: error,
  });
}
