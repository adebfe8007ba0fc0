import { UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A Singer state without one stream's bookmark (`bookmarks[stream]`), so
 * that stream alone starts again from the beginning; `currently_syncing` is
 * cleared if it names the stream. Stream names are data: `__proto__` or
 * `constructor` are removed like any other, and the rest kept as they are.
 */
export function withoutStreamBookmark(state: unknown, stream: string, pipeline: string): Record<string, unknown> {
  const bookmarks = isObject(state) && isObject(state["bookmarks"]) ? state["bookmarks"] : undefined;
  if (bookmarks === undefined || !Object.hasOwn(bookmarks, stream)) {
    const known = bookmarks === undefined ? [] : Object.keys(bookmarks);
    throw new UsageError(RunnerCodes.STREAM_NOT_IN_STATE, `the checkpoint of ${pipeline} has no bookmark for stream ${JSON.stringify(stream)}`, {
      hint:
        known.length === 0
          ? "It holds no per-stream bookmarks; `agora state clear PIPELINE` forgets it whole."
          : `Streams with a bookmark: ${known.map((name) => JSON.stringify(name)).join(", ")}.`,
    });
  }
  const entries = Object.entries(state as Record<string, unknown>).map(([key, value]): [string, unknown] => {
    if (key === "bookmarks") return [key, Object.fromEntries(Object.entries(bookmarks).filter(([name]) => name !== stream))];
    if (key === "currently_syncing" && value === stream) return [key, null];
    return [key, value];
  });
  return Object.fromEntries(entries);
}
