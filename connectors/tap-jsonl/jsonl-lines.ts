import { createReadStream } from "node:fs";
import { excerpt, LineSplitter, skipByteOrderMark, sourceFileError } from "../../protocol/tap.js";

/** One line of a JSON Lines file: a parsed object, or why it is not one. */
export type JsonlLine =
  | { readonly ok: true; readonly record: Record<string, unknown>; readonly text: string; readonly line: number }
  | { readonly ok: false; readonly reason: string; readonly line: number; readonly raw: string };

function parseLine(text: string, line: number): JsonlLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${(error as Error).message}) in ${excerpt(text)}`, line, raw: text };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: `expected a JSON object, got ${excerpt(text)}`, line, raw: text };
  }
  return { ok: true, record: value as Record<string, unknown>, text, line };
}

/**
 * Streams the lines of a JSON Lines file with their 1-based line numbers,
 * a chunk's worth at a time; blank lines are skipped (but counted), and a
 * UTF-8 byte-order mark at the start is not part of the first line. Reads
 * 64 KiB at a time. Lines before `afterLine` are split but not parsed, so
 * resuming costs little.
 */
export async function* readJsonlLines(path: string, afterLine = 0, maxLineBytes?: number): AsyncGenerator<JsonlLine[]> {
  let pending: JsonlLine[] = [];
  const splitter = new LineSplitter(
    (text, line) => {
      if (line > afterLine) pending.push(parseLine(text, line));
    },
    { ...(maxLineBytes === undefined ? {} : { maxLineBytes }), limitSetting: "max_line_bytes in the config" },
  );
  const input = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    let first = true;
    for await (const read of input) {
      let chunk = read as Buffer;
      if (first) {
        first = false;
        // A UTF-8 byte-order mark (some editors write one) is skipped; a UTF-16 file is refused: JSON Lines is UTF-8.
        chunk = chunk.subarray(skipByteOrderMark(chunk, "utf-8", path));
      }
      splitter.push(chunk);
      if (pending.length > 0) {
        const batch = pending;
        pending = [];
        yield batch;
      }
    }
    splitter.end();
    if (pending.length > 0) yield pending;
  } catch (error) {
    throw sourceFileError(error, path);
  } finally {
    input.destroy();
  }
}
