import { AgoraError, ConfigError, FatalError, TransientError } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

/** What a SQLSTATE class or code says, and what to do. */
interface Problem {
  readonly make: typeof FatalError | typeof TransientError | typeof ConfigError;
  readonly code: string;
  readonly says: string;
  readonly hint: string;
}

const RESUMES = "then run again: the pipeline resumes from its last saved checkpoint.";

/** By SQLSTATE code first, then by its two-character class. */
const PROBLEMS: Readonly<Record<string, Problem>> = {
  "53100": {
    make: FatalError,
    code: RunnerCodes.STATE_STORE_FULL,
    says: "the server's disk is full",
    hint: `Free space on the Postgres server's disk, ${RESUMES}`,
  },
  "25006": {
    make: FatalError,
    code: RunnerCodes.STATE_STORE_READONLY,
    says: "the server is read-only (a standby?)",
    hint: "Point the state store at the primary server.",
  },
  "28P01": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: "the server refused the password",
    hint: "Check the user and password in the state store URL.",
  },
  "28000": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: "the server refused the login",
    hint: "Check the user in the state store URL, and the server's pg_hba.conf.",
  },
  "3D000": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: "the database does not exist",
    hint: "Create it (createdb NAME) or fix the database in the state store URL.",
  },
  "42501": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_READONLY,
    says: "the user lacks a privilege it needs",
    hint: "Grant the user CREATE on the database (for its schema) or use the schema's owner.",
  },
  "53": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_BUSY,
    says: "the server is out of resources (connections or memory)",
    hint: `Wait, or raise the server's limits; ${RESUMES}`,
  },
  "57": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: "the server is shutting down or starting up",
    hint: `Wait for it, ${RESUMES}`,
  },
  "08": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: "the connection to the server failed",
    hint: `Check that the server is up and reachable, ${RESUMES}`,
  },
  "40": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_BUSY,
    says: "the transaction was rolled back by a conflict with another one",
    hint: `Try again, ${RESUMES}`,
  },
};

/** Errors from the network before a server answers. */
const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

/**
 * One clear error for a failed state-store operation on Postgres: what the
 * store was doing, what the server (or the network) says, and what to do.
 * Errors that may pass (a connection refused, a server restarting, a
 * conflict) are transient; the rest stop the run.
 */
export function postgresFailure(error: unknown, shown: string, doing: string): Error {
  if (error instanceof AgoraError) return error;
  const code = typeof (error as { code?: unknown } | null)?.code === "string" ? (error as { code: string }).code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const where = { file: shown };
  if (code !== undefined && CONNECTION_ERRORS.has(code)) {
    return new TransientError(RunnerCodes.STATE_STORE_UNAVAILABLE, `the state store could not ${doing}: cannot reach the Postgres server (${code})`, {
      where,
      hint: `Check that the server is up and the host and port in the state store URL are right, ${RESUMES}`,
      cause: error,
    });
  }
  if (/does not support SSL connections/i.test(detail)) {
    return new ConfigError(
      RunnerCodes.STATE_STORE_UNAVAILABLE,
      `the state store could not ${doing}: the Postgres server does not accept SSL connections, and the URL asks for them (sslmode)`,
      {
        where,
        hint: "Remove sslmode=require from the state store URL, or turn SSL on at the server.",
        cause: error,
      },
    );
  }
  if (code === undefined || !/^[0-9A-Z]{5}$/.test(code)) {
    if (/query read timeout|timeout exceeded when trying to connect|connection timeout/i.test(detail)) {
      return new TransientError(
        RunnerCodes.STATE_STORE_UNAVAILABLE,
        `the state store could not ${doing}: the Postgres server did not answer in time (${detail})`,
        {
          where,
          hint: `Check that the server is up and not overloaded (the wait is ?timeout= in the state store URL, 30 s by default), ${RESUMES}`,
          cause: error,
        },
      );
    }
    if (/timeout|terminated/i.test(detail)) {
      return new TransientError(RunnerCodes.STATE_STORE_UNAVAILABLE, `the state store could not ${doing}: ${detail}`, {
        where,
        hint: `Check that the server is up and reachable, ${RESUMES}`,
        cause: error,
      });
    }
    return error instanceof Error ? error : new Error(detail);
  }
  const problem = PROBLEMS[code] ?? PROBLEMS[code.slice(0, 2)];
  if (problem === undefined)
    return new FatalError(RunnerCodes.STATE_STORE_FAILED, `the state store could not ${doing} (${detail}, SQLSTATE ${code})`, { where, cause: error });
  return new problem.make(problem.code, `the state store could not ${doing}: ${problem.says} (SQLSTATE ${code})`, { where, hint: problem.hint, cause: error });
}
