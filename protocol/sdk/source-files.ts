import { access, constants } from "node:fs/promises";
import { AgoraError, ConfigError, FatalError } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";

/** A read error on a source file, as an error naming the file and what to do. */
export function sourceFileError(error: unknown, path: string): AgoraError {
  // An error of the content (a line too long) is named by the file too.
  if (error instanceof AgoraError) return error.where.file === undefined ? error.withLocation({ file: path }) : error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return new ConfigError(ProtocolCodes.FILE_NOT_FOUND, "the file does not exist", {
      where: { file: path },
      hint: 'Check "path" in the config.',
      cause: error,
    });
  if (code === "EACCES" || code === "EPERM")
    return new ConfigError(ProtocolCodes.FILE_UNREADABLE, "the file is not readable", {
      where: { file: path },
      hint: "Check the file's permissions.",
      cause: error,
    });
  if (code === "EISDIR")
    return new ConfigError(ProtocolCodes.FILE_IS_DIRECTORY, "the path is a directory, not a file", {
      where: { file: path },
      hint: 'Point "path" at a file.',
      cause: error,
    });
  return new FatalError(ProtocolCodes.FILE_READ_FAILED, `cannot read the file (${code ?? (error as Error).message})`, { where: { file: path }, cause: error });
}

/** For --test_connection: resolves with a summary, or throws naming every file that cannot be read. */
export async function checkFilesReadable(paths: readonly string[], connector: string): Promise<string> {
  const problems: string[] = [];
  for (const path of paths) {
    try {
      await access(path, constants.R_OK);
    } catch (error) {
      problems.push(`${path} (${(error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "not readable"})`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(ProtocolCodes.FILES_UNREADABLE, `cannot read ${problems.join(", ")}`, {
      where: { connector },
      hint: 'Check the "path" of each file in the config.',
    });
  }
  return `${paths.length} file(s) readable`;
}
