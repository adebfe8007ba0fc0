import { describe, expect, it } from "vitest";
import { CheckpointTracker } from "../../../runner/pipeline/checkpoint-tracker.js";

describe("CheckpointTracker", () => {
  it("advances only to what every target confirmed", () => {
    const tracker = new CheckpointTracker(2);
    tracker.forward({ n: 1 }, { s: 10 });
    tracker.forward({ n: 2 }, { s: 20 });
    tracker.forward({ n: 3 }, { s: 30 });
    expect(tracker.confirm(0, { n: 3 })).toBeUndefined();
    expect(tracker.confirmedSequence).toBe(0);
    expect(tracker.confirm(1, { n: 1 })).toEqual({ sequence: 1, value: { n: 1 }, delivered: { s: 10 } });
    expect(tracker.confirm(1, { n: 3 })).toEqual({ sequence: 3, value: { n: 3 }, delivered: { s: 30 } });
  });

  it("matches echoes whatever their key order, and the newest equal value", () => {
    const tracker = new CheckpointTracker(1);
    tracker.forward({ a: 1, b: { c: 2, d: 3 } }, {});
    tracker.forward({ x: true }, {});
    tracker.forward({ a: 1, b: { c: 2, d: 3 } }, {});
    expect(tracker.confirm(0, { b: { d: 3, c: 2 }, a: 1 })).toMatchObject({ sequence: 3 });
  });

  it("reports a value it never forwarded, and never moves backwards", () => {
    const tracker = new CheckpointTracker(1);
    tracker.forward(1, {});
    tracker.forward(2, {});
    expect(tracker.confirm(0, 2)).toMatchObject({ sequence: 2 });
    expect(tracker.confirm(0, 1)).toBe("unknown");
    expect(tracker.confirm(0, 99)).toBe("unknown");
    expect(tracker.confirmedSequence).toBe(2);
  });
});
