import { FatalError, sqliteProblem, TransientError, type SqliteProblemKind } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

const RESUMES = "then run again: the pipeline resumes from its last saved checkpoint.";

/** What the kinds of problem with the file (sqliteProblem) say to a user of the state store, and what to do. */
const FILE_PROBLEMS: Partial<Record<SqliteProblemKind, { code: string; says: string; hint: string }>> = {
  "disk-full": {
    code: RunnerCodes.STATE_STORE_FULL,
    says: "the disk is full",
    hint: `Free space on the disk that holds the state store, ${RESUMES}`,
  },
  io: {
    code: RunnerCodes.STATE_STORE_IO,
    says: "the disk reported an I/O error",
    hint: `Check the disk that holds the state store (space, health, a mount that went away), ${RESUMES}`,
  },
  "read-only": {
    code: RunnerCodes.STATE_STORE_READONLY,
    says: "the file cannot be written (read-only)",
    hint: "Make the state store file and its folder writable by this user, or point state_store (or --state-store) elsewhere.",
  },
  corrupt: {
    code: RunnerCodes.STATE_STORE_CORRUPT,
    says: "the database file is damaged",
    hint: "Restore the state store from a backup, or move it aside to start afresh (checkpoints, run history and dead letters in it are then gone).",
  },
  "not-a-database": {
    code: RunnerCodes.STATE_STORE_CORRUPT,
    says: "the file is not a SQLite database",
    hint: "Point state_store (or --state-store) at the right file, or move this one aside.",
  },
};

/**
 * One clear error for a failed state-store operation on SQLite: what the
 * store was doing, what SQLite says is wrong with the file, and what to do.
 * A locked database is transient (another process holds it); anything else
 * stops the run. An error that is not SQLite's is returned as it is.
 */
export function sqliteFailure(error: unknown, path: string, doing: string): Error {
  const problem = sqliteProblem(error);
  const where = { file: path };
  if (problem.kind === "not-sqlite") return error instanceof Error ? error : new Error(problem.message);
  if (problem.kind === "busy") {
    return new TransientError(RunnerCodes.STATE_STORE_BUSY, `the state store could not ${doing}: another process kept it locked`, {
      where,
      hint: "Another agora process is writing to the same state store; try again, or give each project its own state_store.",
      cause: error,
    });
  }
  const told = FILE_PROBLEMS[problem.kind];
  if (told === undefined)
    return new FatalError(RunnerCodes.STATE_STORE_FAILED, `the state store could not ${doing} (${problem.message}, ${problem.code})`, { where, cause: error });
  return new FatalError(told.code, `the state store could not ${doing}: ${told.says} (${problem.code})`, { where, hint: told.hint, cause: error });
}
