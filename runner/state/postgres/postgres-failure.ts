import {
  AgoraError,
  ConfigError,
  FatalError,
  postgresProblem,
  TransientError,
  type PostgresProblem,
  type PostgresProblemKind,
} from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

/** What a kind of problem says to a user of the state store, and what to do. */
interface Telling {
  readonly make: typeof FatalError | typeof TransientError | typeof ConfigError;
  readonly code: string;
  readonly says: (problem: PostgresProblem) => string;
  readonly hint: string;
}

const RESUMES = "then run again: the pipeline resumes from its last saved checkpoint.";

/** Each kind the shared classifier (postgresProblem) tells apart; the others are the store's failure, said as the server said it. */
const TELLINGS: Partial<Record<PostgresProblemKind, Telling>> = {
  unreachable: {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: ({ code }) => (code?.startsWith("08") ? `the connection to the server failed (SQLSTATE ${code})` : `cannot reach the Postgres server (${code})`),
    hint: `Check that the server is up and the host and port in the state store URL are right, ${RESUMES}`,
  },
  "no-ssl": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: () => "the Postgres server does not accept SSL connections, and the URL asks for them (sslmode)",
    hint: "Remove sslmode=require from the state store URL, or turn SSL on at the server.",
  },
  "timed-out": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: ({ message }) => `the Postgres server did not answer in time (${message})`,
    hint: `Check that the server is up and not overloaded (the wait is ?timeout= in the state store URL, 30 s by default), ${RESUMES}`,
  },
  "connection-lost": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: ({ message }) => message,
    hint: `Check that the server is up and reachable, ${RESUMES}`,
  },
  "disk-full": {
    make: FatalError,
    code: RunnerCodes.STATE_STORE_FULL,
    says: sqlstate("the server's disk is full"),
    hint: `Free space on the Postgres server's disk, ${RESUMES}`,
  },
  "read-only": {
    make: FatalError,
    code: RunnerCodes.STATE_STORE_READONLY,
    says: sqlstate("the server is read-only (a standby?)"),
    hint: "Point the state store at the primary server.",
  },
  "login-refused": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: (problem) => sqlstate(problem.code === "28P01" ? "the server refused the password" : "the server refused the login")(problem),
    hint: "Check the user and password in the state store URL, and the server's pg_hba.conf.",
  },
  "no-database": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: sqlstate("the database does not exist"),
    hint: "Create it (createdb NAME) or fix the database in the state store URL.",
  },
  "not-allowed": {
    make: ConfigError,
    code: RunnerCodes.STATE_STORE_READONLY,
    says: sqlstate("the user lacks a privilege it needs"),
    hint: "Grant the user CREATE on the database (for its schema) or use the schema's owner.",
  },
  "out-of-resources": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_BUSY,
    says: sqlstate("the server is out of resources (connections or memory)"),
    hint: `Wait, or raise the server's limits; ${RESUMES}`,
  },
  "shutting-down": {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_UNAVAILABLE,
    says: sqlstate("the server is shutting down or starting up"),
    hint: `Wait for it, ${RESUMES}`,
  },
  conflict: {
    make: TransientError,
    code: RunnerCodes.STATE_STORE_BUSY,
    says: sqlstate("the transaction was rolled back by a conflict with another one"),
    hint: `Try again, ${RESUMES}`,
  },
};

function sqlstate(says: string): (problem: PostgresProblem) => string {
  return ({ code }) => `${says} (SQLSTATE ${code})`;
}

/**
 * One clear error for a failed state-store operation on Postgres: what the
 * store was doing, what the server (or the network) says, and what to do.
 * Errors that may pass (a connection refused, a server restarting, a
 * conflict) are transient; the rest stop the run. An error that is not
 * Postgres's is returned as it is.
 */
export function postgresFailure(error: unknown, shown: string, doing: string): Error {
  if (error instanceof AgoraError) return error;
  const problem = postgresProblem(error);
  if (problem.kind === "not-postgres") return error instanceof Error ? error : new Error(problem.message);
  const where = { file: shown };
  const telling = TELLINGS[problem.kind];
  if (telling === undefined) {
    return new FatalError(RunnerCodes.STATE_STORE_FAILED, `the state store could not ${doing} (${problem.message}, SQLSTATE ${problem.code})`, {
      where,
      cause: error,
    });
  }
  return new telling.make(telling.code, `the state store could not ${doing}: ${telling.says(problem)}`, { where, hint: telling.hint, cause: error });
}
