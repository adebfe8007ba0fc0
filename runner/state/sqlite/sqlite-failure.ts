import { FatalError, TransientError } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

/** SQLite's primary result codes that say what went wrong with the file, not with the query. */
const FILE_PROBLEMS: Readonly<Record<string, { code: string; says: string; hint: string }>> = {
  SQLITE_FULL: {
    code: RunnerCodes.STATE_STORE_FULL,
    says: "the disk is full",
    hint: "Free space on the disk that holds the state store, then run again: the pipeline resumes from its last saved checkpoint.",
  },
  SQLITE_IOERR: {
    code: RunnerCodes.STATE_STORE_IO,
    says: "the disk reported an I/O error",
    hint: "Check the disk that holds the state store (space, health, a mount that went away), then run again: the pipeline resumes from its last saved checkpoint.",
  },
  SQLITE_READONLY: {
    code: RunnerCodes.STATE_STORE_READONLY,
    says: "the file cannot be written (read-only)",
    hint: "Make the state store file and its folder writable by this user, or point state_store (or --state-store) elsewhere.",
  },
  SQLITE_CORRUPT: {
    code: RunnerCodes.STATE_STORE_CORRUPT,
    says: "the database file is damaged",
    hint: "Restore the state store from a backup, or move it aside to start afresh (checkpoints, run history and dead letters in it are then gone).",
  },
  SQLITE_NOTADB: {
    code: RunnerCodes.STATE_STORE_CORRUPT,
    says: "the file is not a SQLite database",
    hint: "Point state_store (or --state-store) at the right file, or move this one aside.",
  },
};

/** The primary result code of an extended one: SQLITE_IOERR_WRITE is SQLITE_IOERR. */
function primaryCode(code: string): string {
  const known = Object.keys(FILE_PROBLEMS).find((primary) => code === primary || code.startsWith(`${primary}_`));
  return known ?? code;
}

/**
 * One clear error for a failed state-store operation on SQLite: what the
 * store was doing, what SQLite says is wrong with the file, and what to do.
 * A locked database is transient (another process holds it); anything else
 * stops the run.
 */
export function sqliteFailure(error: unknown, path: string, doing: string): Error {
  const code = typeof (error as { code?: unknown } | null)?.code === "string" ? (error as { code: string }).code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const where = { file: path };
  if (code === undefined || !code.startsWith("SQLITE_")) return error instanceof Error ? error : new Error(detail);
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
    return new TransientError(RunnerCodes.STATE_STORE_BUSY, `the state store could not ${doing}: another process kept it locked`, {
      where,
      hint: "Another agora process is writing to the same state store; try again, or give each project its own state_store.",
      cause: error,
    });
  }
  const problem = FILE_PROBLEMS[primaryCode(code)];
  if (problem === undefined)
    return new FatalError(RunnerCodes.STATE_STORE_FAILED, `the state store could not ${doing} (${detail}, ${code})`, { where, cause: error });
  return new FatalError(problem.code, `the state store could not ${doing}: ${problem.says} (${code})`, { where, hint: problem.hint, cause: error });
}
