import { chmodSync, closeSync, openSync } from "node:fs";
import { access, constants, mkdir, open, stat, truncate, type FileHandle } from "node:fs/promises";
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

/**
 * Directories whose new entries are made durable together: a target that
 * opens 2,000 files in one batch fsyncs their directory once before the
 * batch's STATE is confirmed, not once per file (2,000 directory fsyncs
 * cost two seconds here).
 */
export class DirectorySyncs {
  private readonly pending = new Set<string>();

  note(directory: string): void {
    this.pending.add(directory);
  }

  /** fsyncs every directory noted since the last call. */
  async syncAll(): Promise<void> {
    const directories = [...this.pending];
    this.pending.clear();
    await Promise.all(directories.map((directory) => syncDirectory(directory)));
  }
}

/** Opens a file with `flags`, making its directory first only if it is missing (a file among thousands in one directory costs no mkdir). */
export async function openMakingDirectory(path: string, flags: string): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(dirname(path), { recursive: true });
    return await open(path, flags);
  }
}

/** Makes a new file's directory entry durable: now, or with `deferred`'s next syncAll. */
export async function syncNewEntry(path: string, deferred: DirectorySyncs | undefined): Promise<void> {
  if (deferred === undefined) await syncDirectory(dirname(path));
  else deferred.note(dirname(path));
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

/**
 * Cuts a file back to its last complete line, left incomplete by a write
 * that failed half-way (a full disk, a kill): appending after it would glue
 * the next record to the broken one. With `quote`, newlines inside quoted
 * CSV fields do not end a line (the whole file is scanned once, for quote
 * parity). Returns how many bytes were cut (0 when the file is whole or
 * absent).
 */
export async function cutIncompleteTail(path: string, quote?: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return 0;
  }
  if (size === 0) return 0;
  const newline = 0x0a;
  const quoteByte = quote === undefined ? undefined : Buffer.from(quote)[0];
  let boundary = 0;
  const handle = await open(path, "r");
  try {
    const chunk = Buffer.alloc(1 << 20);
    if (quoteByte === undefined) {
      // JSON Lines: no raw newline inside a line, so the last one is the boundary. Read backwards.
      for (let end = size; end > 0 && boundary === 0; ) {
        const start = Math.max(0, end - chunk.length);
        const { bytesRead } = await handle.read(chunk, 0, end - start, start);
        const at = chunk.subarray(0, bytesRead).lastIndexOf(newline);
        if (at !== -1) boundary = start + at + 1;
        end = start;
      }
    } else {
      let inQuotes = false;
      for (let position = 0; position < size; ) {
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
        if (bytesRead === 0) break;
        for (let index = 0; index < bytesRead; index += 1) {
          const byte = chunk[index];
          if (byte === quoteByte) inQuotes = !inQuotes;
          else if (byte === newline && !inQuotes) boundary = position + index + 1;
        }
        position += bytesRead;
      }
    }
  } finally {
    await handle.close();
  }
  if (boundary >= size) return 0;
  await truncate(path, boundary);
  return size - boundary;
}

/**
 * Makes a file only its owner can read and write (0600), creating it empty
 * if it is missing: for SQLite files that hold checkpoints, run history or
 * cached responses. SQLite creates its -wal and -shm files with the same
 * permissions as the database.
 */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
}
