import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../../runner/canonical-json.js";
import { readTargetLine } from "../../../runner/connector/target-output.js";

/** A reader that knows these STATE values were sent. */
function sentValues(...values: unknown[]): { isSentState(value: unknown): boolean } {
  const sent = new Set(values.map((value) => canonicalJson(value)));
  return { isSentState: (value) => sent.has(canonicalJson(value)) };
}

const deadLetter = { type: "DEAD_LETTER", stream: "s", stage: "sink_write", record: { id: 1 }, error: { code: "X", message: "no" } };

describe("readTargetLine", () => {
  it("takes the bare value of a STATE it sent as its echo, whatever the key order and spacing", () => {
    const wasSent = sentValues({ bookmarks: { orders: { updated_at: "2024-01-01", id: 3 } } });
    expect(readTargetLine('{"bookmarks": {"orders": {"id": 3, "updated_at": "2024-01-01"}}}', 1, wasSent)).toEqual({
      kind: "state",
      value: { bookmarks: { orders: { id: 3, updated_at: "2024-01-01" } } },
      echo: "bare",
    });
  });

  it("takes a STATE message as the echo of its value", () => {
    expect(readTargetLine('{"type":"STATE","value":{"n":2}}', 1, sentValues({ n: 2 }))).toEqual({ kind: "state", value: { n: 2 }, echo: "message" });
    expect(readTargetLine('{"type":"state","value":{"n":2}}', 1, sentValues({ n: 2 }))).toMatchObject({ kind: "state", value: { n: 2 } });
  });

  it("tells a state value that has a `type` key from a message by the values sent", () => {
    const stateLikeMessage = { type: "STATE", value: "inner" };
    expect(readTargetLine(JSON.stringify(stateLikeMessage), 1, sentValues(stateLikeMessage))).toEqual({ kind: "state", value: stateLikeMessage, echo: "bare" });
    expect(readTargetLine(JSON.stringify(deadLetter), 1, sentValues(deadLetter))).toEqual({ kind: "state", value: deadLetter, echo: "bare" });
  });

  it("reads a DEAD_LETTER that is not a value sent", () => {
    expect(readTargetLine(JSON.stringify(deadLetter), 1, sentValues({ n: 1 }))).toEqual({ kind: "dead_letter", message: deadLetter });
  });

  it.each([
    ["a log line", "INFO flushed 3 records"],
    ["JSON that was never sent", '{"bookmarks":{"other":1}}'],
    ["a record echoed back", '{"type":"RECORD","stream":"s","record":{}}'],
    ["a number", "42"],
  ])("calls %s other", (_name, text) => {
    expect(readTargetLine(text, 1, sentValues({ n: 1 }))).toEqual({ kind: "other" });
  });

  it("takes any JSON value sent as state, not only objects", () => {
    expect(readTargetLine("42", 1, sentValues(42))).toEqual({ kind: "state", value: 42, echo: "bare" });
  });
});
