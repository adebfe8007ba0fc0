import { basename, extname } from "node:path";
import { ConfigError } from "../errors.js";
import type { JsonSchema } from "../messages/types.js";
import type { Bookmarked, RejectedRow } from "./tap/types.js";

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
      throw new ConfigError("DUPLICATE_STREAM", `two files map to stream "${stream}"`, {
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
  throw new ConfigError("KEY_NOT_A_COLUMN", `key property "${missing}" is not a column (columns: ${columns.join(", ")})`, {
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
 * The position a file stream resumes from: `bookmark[field]` when the
 * bookmark is for this same file, else 0 (a bookmark for another path is
 * reported through `warn` and ignored: the stream starts from the beginning).
 */
export function savedPosition(bookmark: unknown, path: string, field: string, warn: (message: string) => void): number {
  if (typeof bookmark !== "object" || bookmark === null) return 0;
  const saved = bookmark as Record<string, unknown>;
  if (saved["path"] !== path) {
    warn(`the saved position is for ${String(saved["path"])}, not ${path}: reading from the start`);
    return 0;
  }
  const position = saved[field];
  return typeof position === "number" && position > 0 ? position : 0;
}
