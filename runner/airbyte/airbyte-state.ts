import { describeDescriptor, descriptorKey, descriptorOf, isObject, type StreamDescriptor } from "./airbyte-message.js";

/**
 * An Airbyte source's state as the next `read --state` takes it: a JSON
 * array of state messages, the latest one per stream descriptor (type
 * STREAM), or the one latest GLOBAL, or the one latest LEGACY (a state
 * without `type`). This array is what Agora checkpoints for an Airbyte
 * source: `agora state show` prints what the source will be handed.
 */
export class AirbyteStateSet {
  /** Per stream descriptor for STREAM states; "global" and "legacy" for the others. In arrival order. */
  private readonly entries = new Map<string, Readonly<Record<string, unknown>>>();

  constructor(initial: readonly unknown[] = []) {
    for (const state of initial) if (isObject(state)) this.take(state);
  }

  /**
   * Takes one state message (the `state` member of a STATE): it replaces the
   * earlier state of its stream, or the earlier global one. A GLOBAL or
   * LEGACY state covers every stream, so it replaces the others of its kind
   * and any LEGACY one; STREAM states replace a LEGACY one.
   */
  take(state: Readonly<Record<string, unknown>>): void {
    const type = stateType(state);
    if (type === "STREAM") {
      const descriptor = descriptorOf(isObject(state["stream"]) ? state["stream"]["stream_descriptor"] : undefined) as StreamDescriptor;
      this.entries.delete("legacy");
      this.entries.set(descriptorKey(descriptor), withoutStats(state));
      return;
    }
    if (type === "GLOBAL") {
      this.entries.delete("legacy");
      this.entries.set("global", withoutStats(state));
      return;
    }
    this.entries.clear();
    this.entries.set("legacy", withoutStats(state));
  }

  /** Forgets the state of these streams (a full refresh of them): their STREAM entries, and their part of a GLOBAL one. */
  forget(streams: readonly StreamDescriptor[]): void {
    const keys = new Set(streams.map(descriptorKey));
    for (const key of keys) this.entries.delete(key);
    const global = this.entries.get("global");
    if (global !== undefined && isObject(global["global"])) {
      const inner = global["global"];
      const kept = Array.isArray(inner["stream_states"])
        ? inner["stream_states"].filter((entry) => {
            const descriptor = descriptorOf(isObject(entry) ? entry["stream_descriptor"] : undefined);
            return descriptor === undefined || !keys.has(descriptorKey(descriptor));
          })
        : [];
      this.entries.set("global", { ...global, global: { ...inner, stream_states: kept } });
    }
  }

  toArray(): Array<Readonly<Record<string, unknown>>> {
    return [...this.entries.values()];
  }
}

/** The state message's type: STREAM, GLOBAL or LEGACY (also when `type` is missing, as the protocol says). */
export function stateType(state: Readonly<Record<string, unknown>>): "STREAM" | "GLOBAL" | "LEGACY" {
  return state["type"] === "STREAM" || state["type"] === "GLOBAL" ? state["type"] : "LEGACY";
}

/**
 * What is wrong with a state message, or undefined: a STREAM state names its
 * stream, a GLOBAL one has `global.stream_states`, a LEGACY one has `data`.
 */
export function stateProblem(state: unknown): string | undefined {
  if (!isObject(state)) return "a STATE message's state must be an object";
  const type = state["type"];
  if (type !== undefined && type !== "STREAM" && type !== "GLOBAL" && type !== "LEGACY")
    return `a STATE of type ${JSON.stringify(type)}, which the protocol does not have`;
  const kind = stateType(state);
  if (kind === "STREAM") {
    const stream = state["stream"];
    if (!isObject(stream) || descriptorOf(stream["stream_descriptor"]) === undefined) return "a STREAM state without stream.stream_descriptor.name";
  } else if (kind === "GLOBAL") {
    const global = state["global"];
    if (!isObject(global) || !Array.isArray(global["stream_states"])) return "a GLOBAL state without global.stream_states";
  } else if (!isObject(state["data"])) return "a LEGACY state (no type) without a data object";
  return undefined;
}

/** The stream a STREAM state is of, for messages to people. */
export function stateStreamName(state: Readonly<Record<string, unknown>>): string | undefined {
  const descriptor = descriptorOf(isObject(state["stream"]) ? state["stream"]["stream_descriptor"] : undefined);
  return descriptor === undefined ? undefined : describeDescriptor(descriptor);
}

/** The state without the counts the source or a destination attached (they belong to one sync, not to the checkpoint). */
function withoutStats(state: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (!("sourceStats" in state) && !("destinationStats" in state)) return state;
  const { sourceStats: _source, destinationStats: _destination, ...rest } = state;
  return rest;
}
