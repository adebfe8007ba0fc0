import { access, constants, mkdir, open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { FatalError } from "../errors.js";

/** Turns a file-system error into a FatalError naming the file and what to do. */
export function fileError(error: unknown, path: string, action: string): FatalError {
  const code = (error as NodeJS.ErrnoException).code;
  const hint =
    code === "ENOSPC"
      ? "The disk is full: free space and run again; nothing after the last confirmed STATE is lost."
      : code === "EACCES" || code === "EPERM" || code === "EROFS"
        ? "Check the permissions of the destination path."
        : "Check the destination path.";
  return new FatalError(code === "ENOSPC" ? "DISK_FULL" : "FILE_WRITE_FAILED", `cannot ${action} (${code ?? (error as Error).message})`, {
    where: { file: path },
    hint,
    cause: error,
  });
}

/** fsyncs a directory so a file created in it survives a crash. */
export async function syncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Opens a file for appending, creating its directory, and makes its directory entry durable. */
export async function openForAppend(path: string): Promise<FileHandle> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, "a");
    await syncDirectory(dirname(path));
    return handle;
  } catch (error) {
    throw fileError(error, path, "open the file for writing");
  }
}

/** For --test_connection: creates the directory if needed and checks it is writable. */
export async function checkDirectoryWritable(directory: string): Promise<string> {
  try {
    await mkdir(directory, { recursive: true });
    await access(directory, constants.W_OK);
  } catch (error) {
    throw fileError(error, directory, "write to the destination directory");
  }
  return `${directory} is writable`;
}
