import { closeSync, openSync, readSync, statSync } from "node:fs";
import { basename, extname } from "node:path";
import { ConfigError, DataError } from "../errors.js";
import type { JsonSchema } from "../messages/types.js";
import type { Bookmarked, RejectedRow } from "./tap/types.js";
import { ProtocolCodes } from "../messages/codes.js";

/** The `files` setting of a file tap: path, stream and key properties, plus the tap's own options per file. */
export function filesSetting(description: string, fileDescription: string, extraProperties: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: "array",
    minItems: 1,
    description,
    items: {
      type: "object",
      additionalProperties: false,
      required: ["path"],
      properties: {
        path: { type: "string", minLength: 1, description: fileDescription },
        stream: { type: "string", minLength: 1, description: "Stream name. Default: the file name without its extension." },
        key_properties: { type: "array", items: { type: "string" }, default: [], description: "Fields that identify a record." },
        ...extraProperties,
      },
    },
  };
}

export interface FileEntry {
  readonly path: string;
  readonly stream?: string;
  readonly key_properties: readonly string[];
}

/** Each entry's stream name (default: the file name without extension); two files may not share one. */
export function resolveFileStreams<T extends FileEntry>(entries: readonly T[], connector: string): Array<T & { readonly stream: string }> {
  const seen = new Set<string>();
  return entries.map((entry) => {
    const stream = entry.stream ?? basename(entry.path, extname(entry.path));
    if (seen.has(stream)) {
      throw new ConfigError(ProtocolCodes.DUPLICATE_STREAM, `two files map to stream "${stream}"`, {
        where: { connector, setting: "files", file: entry.path },
        hint: 'Give each file its own "stream" name.',
      });
    }
    seen.add(stream);
    return { ...entry, stream };
  });
}

/** Throws when a configured key property is not a column of the file. */
export function checkKeysAreColumns(keys: readonly string[], columns: readonly string[], where: { connector: string; stream: string; file: string }): void {
  const missing = keys.find((key) => !columns.includes(key));
  if (missing === undefined) return;
  throw new ConfigError(ProtocolCodes.KEY_NOT_A_COLUMN, `key property "${missing}" is not a column (columns: ${columns.join(", ")})`, {
    where: { ...where, setting: "key_properties" },
    hint: "Name an existing column in key_properties.",
  });
}

/**
 * Maps a chunk of rows to stream items. When mapping throws (the "fail"
 * bad-row policy), the items before the bad row come back with the error,
 * so the stream can still emit them before it stops.
 */
export function mapRows<T, Item = Bookmarked | RejectedRow>(rows: Iterable<T>, toItem: (row: T) => Item | undefined): { items: Item[]; error: unknown } {
  const items: Item[] = [];
  try {
    for (const row of rows) {
      const item = toItem(row);
      if (item !== undefined) items.push(item);
    }
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

/**
 * What a file was when a bookmark into it was saved: its size and a digest
 * of its first bytes. A file that grew keeps both (a log appended to); one
 * rewritten (a daily export) is shorter or starts differently, and a
 * position in the old file means nothing in it.
 */
export interface FileIdentity {
  readonly size: number;
  /** sha256 (hex, first 32 digits) of the first `headBytes` bytes. */
  readonly head: string;
  readonly headBytes: number;
}

const HEAD_BYTES = 4096;

/** The identity of the file at `path` now. */
export function fileIdentity(path: string, headBytes = HEAD_BYTES): FileIdentity {
  const size = statSync(path).size;
  return { size, ...headOf(path, Math.min(headBytes, size)) };
}

function headOf(path: string, bytes: number): { head: string; headBytes: number } {
  const buffer = Buffer.alloc(bytes);
  const handle = openSync(path, "r");
  let read = 0;
  try {
    while (read < bytes) {
      const got = readSync(handle, buffer, read, bytes - read, read);
      if (got === 0) break;
      read += got;
    }
  } finally {
    closeSync(handle);
  }
  // node:crypto loads here, at first use: a tap's --about and --discover start without it.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return { head: createHash("sha256").update(buffer.subarray(0, read)).digest("hex").slice(0, 32), headBytes: read };
}

function isFileIdentity(value: unknown): value is FileIdentity {
  const identity = value as Partial<FileIdentity> | null;
  return (
    typeof identity === "object" &&
    identity !== null &&
    typeof identity.size === "number" &&
    typeof identity.head === "string" &&
    typeof identity.headBytes === "number"
  );
}

/** The setting of what a file tap does with a file that changed under its bookmark. */
export const ON_FILE_CHANGE_SETTING: JsonSchema = {
  type: "string",
  enum: ["restart", "fail"],
  default: "restart",
  description:
    "A file rewritten since the bookmark was saved (shorter, or its first bytes differ: a daily export replaced): `restart` reads it from the start, with a warning; `fail` stops with one line. A file that only grew is read on from the bookmark.",
};
export type FileChangePolicy = "restart" | "fail";

/**
 * The position a file stream resumes from: `bookmark[field]` when the
 * bookmark is for this same file as it was (see FileIdentity), else 0. A
 * bookmark for another path, or for a file since rewritten, is reported
 * through `warn` and the stream starts from the beginning (under the "fail"
 * policy a rewritten file is an error instead): never a position past the
 * end of a new file, read as nothing.
 */
export function savedPosition(
  bookmark: unknown,
  path: string,
  field: string,
  warn: (message: string) => void,
  now?: FileIdentity,
  policy: FileChangePolicy = "restart",
): number {
  if (typeof bookmark !== "object" || bookmark === null) return 0;
  const saved = bookmark as Record<string, unknown>;
  if (saved["path"] !== path) {
    warn(`the saved position is for ${String(saved["path"])}, not ${path}: reading from the start`);
    return 0;
  }
  const position = saved[field];
  if (typeof position !== "number" || position <= 0) return 0;
  const was = saved["file"];
  if (now === undefined || !isFileIdentity(was)) return position;
  const why =
    now.size < was.size
      ? `it has ${now.size} bytes, ${was.size} when the bookmark was saved`
      : headOf(path, was.headBytes).head !== was.head
        ? `its first ${was.headBytes} bytes are not the ones it had`
        : undefined;
  if (why === undefined) return position;
  if (policy === "fail") {
    throw new DataError(ProtocolCodes.FILE_CHANGED, `${path} was rewritten since the bookmark (${field} ${position}) was saved: ${why}`, {
      where: { file: path },
      hint: 'Set on_file_change = "restart" to read it from the start, or clear the stream\'s bookmark (agora state clear PIPELINE --stream NAME).',
    });
  }
  warn(`${path} was rewritten since the bookmark (${field} ${position}) was saved (${why}): reading it from the start`);
  return 0;
}
