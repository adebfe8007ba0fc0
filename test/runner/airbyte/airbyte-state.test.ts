import { describe, expect, it } from "vitest";
import { AirbyteStateSet, stateProblem } from "../../../runner/airbyte/airbyte-state.js";

const stream = (name: string, value: unknown, namespace?: string) => ({
  type: "STREAM",
  stream: { stream_descriptor: { name, ...(namespace === undefined ? {} : { namespace }) }, stream_state: value },
});

describe("AirbyteStateSet", () => {
  it("keeps the latest STREAM state per descriptor, a namespace making another stream", () => {
    const states = new AirbyteStateSet();
    states.take(stream("users", { at: 1 }));
    states.take(stream("users", { at: 1 }, "app"));
    states.take(stream("orders", { at: 5 }));
    states.take({ ...stream("users", { at: 2 }), sourceStats: { recordCount: 2.0 } });
    expect(states.toArray()).toEqual([stream("users", { at: 2 }), stream("users", { at: 1 }, "app"), stream("orders", { at: 5 })]);
  });

  it("keeps one GLOBAL state, and a LEGACY one (no type) alone", () => {
    const states = new AirbyteStateSet([stream("users", { at: 1 })]);
    const global = (lsn: number) => ({ type: "GLOBAL", global: { shared_state: { lsn }, stream_states: [] } });
    states.take(global(1));
    states.take(global(2));
    expect(states.toArray()).toEqual([stream("users", { at: 1 }), global(2)]);
    states.take({ data: { cursor: 9 } });
    expect(states.toArray()).toEqual([{ data: { cursor: 9 } }]);
  });

  it("forgets streams for a full refresh, in STREAM entries and in a GLOBAL one's stream_states", () => {
    const kept = { stream_descriptor: { name: "orders" }, stream_state: { at: 3 } };
    const states = new AirbyteStateSet([
      stream("users", { at: 1 }),
      { type: "GLOBAL", global: { shared_state: {}, stream_states: [{ stream_descriptor: { name: "users" }, stream_state: { at: 1 } }, kept] } },
    ]);
    states.forget([{ name: "users" }]);
    expect(states.toArray()).toEqual([{ type: "GLOBAL", global: { shared_state: {}, stream_states: [kept] } }]);
  });

  it("says what is wrong with a state message", () => {
    expect(stateProblem(stream("users", {}))).toBeUndefined();
    expect(stateProblem({ type: "STREAM", stream: {} })).toBe("a STREAM state without stream.stream_descriptor.name");
    expect(stateProblem({ type: "GLOBAL", global: {} })).toBe("a GLOBAL state without global.stream_states");
    expect(stateProblem({ cursor: 1 })).toBe("a LEGACY state (no type) without a data object");
    expect(stateProblem({ type: "PER_STREAM" })).toBe('a STATE of type "PER_STREAM", which the protocol does not have');
    expect(stateProblem([1])).toBe("a STATE message's state must be an object");
  });
});
