import { UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { singerStreamId } from "../airbyte/airbyte-catalog.js";
import { descriptorOf } from "../airbyte/airbyte-message.js";
import { AirbyteStateSet } from "../airbyte/airbyte-state.js";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A Singer state without one stream's bookmark (`bookmarks[stream]`), so
 * that stream alone starts again from the beginning; `currently_syncing` is
 * cleared if it names the stream. Stream names are data: `__proto__` or
 * `constructor` are removed like any other, and the rest kept as they are.
 */
export function withoutStreamBookmark(state: unknown, stream: string, pipeline: string): unknown {
  if (Array.isArray(state)) return withoutAirbyteStream(state, stream, pipeline);
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

/**
 * An Airbyte source's state array without one stream's state (named as the
 * pipeline names it: `namespace-name`, or the name), in a STREAM entry or
 * in a GLOBAL one's stream_states.
 */
function withoutAirbyteStream(states: readonly unknown[], stream: string, pipeline: string): unknown[] {
  const descriptors = states.flatMap((state) => {
    if (!isObject(state)) return [];
    const inner = isObject(state["stream"])
      ? [state["stream"]]
      : isObject(state["global"]) && Array.isArray(state["global"]["stream_states"])
        ? state["global"]["stream_states"]
        : [];
    return inner.flatMap((entry) => {
      const descriptor = isObject(entry) ? descriptorOf(entry["stream_descriptor"]) : undefined;
      return descriptor === undefined ? [] : [descriptor];
    });
  });
  const matching = descriptors.filter((descriptor) => singerStreamId(descriptor) === stream);
  if (matching.length === 0) {
    throw new UsageError(RunnerCodes.STREAM_NOT_IN_STATE, `the checkpoint of ${pipeline} has no state for stream ${JSON.stringify(stream)}`, {
      hint:
        descriptors.length === 0
          ? "It holds no per-stream state; `agora state clear PIPELINE` forgets it whole."
          : `Streams with a state: ${descriptors.map((descriptor) => JSON.stringify(singerStreamId(descriptor))).join(", ")}.`,
    });
  }
  const set = new AirbyteStateSet(states);
  set.forget(matching);
  return set.toArray();
}
