import { ConfigError, DataError, FatalError, postgresProblem, TransientError, type AgoraError } from "../../protocol/index.js";
import { TargetPostgresCodes } from "./codes.js";

interface PgFailure {
  readonly code?: string;
  readonly message: string;
  readonly where?: string;
  readonly column?: string;
}

/**
 * A COPY that Postgres refused because of one row's value, as an error
 * naming the stream, the column and the record's input line, with the index
 * of that record in the batch; undefined for failures that are not one
 * row's (a lost connection, a full disk).
 */
export function refusedRow(
  error: unknown,
  stream: string,
  rowAt: (copyLine: number) => { index: number; line: number | undefined; nulColumn: string | undefined } | undefined,
): { index: number; error: AgoraError } | undefined {
  if (postgresProblem(error).kind !== "value-refused") return undefined;
  const failure = error as PgFailure;
  const where = /COPY [^,]+, line (\d+)(?:, column ([^:]+))?/.exec(failure.where ?? "");
  if (where === null) return undefined;
  const row = rowAt(Number(where[1]));
  if (row === undefined) return undefined;
  // A NUL character (text cannot hold one) is refused before any column is named: the row knows which.
  const column = failure.column ?? where[2] ?? (failure.code === "22021" ? row.nulColumn : undefined);
  return {
    index: row.index,
    error: new DataError(
      TargetPostgresCodes.POSTGRES_VALUE_REFUSED,
      `Postgres refused the value${column === undefined ? "" : ` of column ${column}`}: ${failure.message} (SQLSTATE ${failure.code})`,
      {
        where: { stream, ...(row.line === undefined ? {} : { line: row.line }), ...(column === undefined ? {} : { field: column }) },
        hint: "Fix the value at the source, or the stream's schema if the column's type is wrong (a mismatch becomes a dead letter when the runner asks for them).",
        cause: error,
      },
    ),
  };
}

const RESUMES = "nothing after the last confirmed STATE is lost.";

/** Any other failure of the database: connection, login, disk, permissions. */
export function databaseError(error: unknown, shown: string, action: string): AgoraError {
  const problem = postgresProblem(error);
  const code = problem.code ?? "";
  const where = { file: shown };
  switch (problem.kind) {
    case "unreachable":
    case "shutting-down":
    case "timed-out":
    case "connection-lost":
      return new TransientError(
        TargetPostgresCodes.POSTGRES_UNAVAILABLE,
        `cannot ${action}: the server cannot be reached or is shutting down (${code || problem.message})`,
        {
          where,
          hint: `Check that the server is up and the url is right; ${RESUMES}`,
          cause: error,
        },
      );
    case "no-ssl":
      return new ConfigError(
        TargetPostgresCodes.POSTGRES_NO_SSL,
        `cannot ${action}: the server does not accept SSL connections, and the url asks for them (sslmode)`,
        {
          where,
          hint: "Remove sslmode=require from the url, or turn SSL on at the server.",
          cause: error,
        },
      );
    case "login-refused":
    case "no-database":
      return new ConfigError(TargetPostgresCodes.POSTGRES_LOGIN_FAILED, `cannot ${action}: ${problem.message} (SQLSTATE ${code})`, {
        where,
        hint: "Check the user, password and database in url.",
        cause: error,
      });
    case "not-allowed":
      return new ConfigError(TargetPostgresCodes.POSTGRES_NOT_ALLOWED, `cannot ${action}: ${problem.message} (SQLSTATE ${code})`, {
        where,
        hint: "Grant the user CREATE on the schema (and on the database, to create the schema).",
        cause: error,
      });
    case "disk-full":
      return new FatalError(TargetPostgresCodes.DISK_FULL, `cannot ${action}: the server's disk is full (SQLSTATE ${code})`, {
        where,
        hint: `Free space on the server and run again; ${RESUMES}`,
        cause: error,
      });
    default:
      return new FatalError(TargetPostgresCodes.POSTGRES_ERROR, `cannot ${action}: ${problem.message}${code === "" ? "" : ` (SQLSTATE ${code})`}`, {
        where,
        cause: error,
      });
  }
}
