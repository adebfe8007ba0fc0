import { describe, expect, it } from "vitest";
import { parseJson } from "../../../protocol/index.js";
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

  it("tells apart bookmarks that differ only past 2^53: an echo of the older never confirms the newer", () => {
    const tracker = new CheckpointTracker(1);
    const older = parseJson('{"bookmarks":{"s":{"id":9007199254740993}}}');
    const newer = parseJson('{"bookmarks":{"s":{"id":9007199254740992}}}');
    tracker.forward(older, { s: 1 });
    tracker.forward(newer, { s: 2 });
    // JSON.parse makes both 9007199254740992: the echo of the older would have confirmed the newer, past a record not yet durable.
    expect(tracker.confirm(0, parseJson('{"bookmarks":{"s":{"id":9007199254740993}}}'))).toMatchObject({ sequence: 1, delivered: { s: 1 } });
    expect(tracker.confirm(0, parseJson('{"bookmarks":{"s":{"id":9007199254740992}}}'))).toMatchObject({ sequence: 2, delivered: { s: 2 } });
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

describe("CheckpointTracker with bare echoes", () => {
  it("recognises values forwarded and not yet behind the checkpoint, and the last confirmed", () => {
    const tracker = new CheckpointTracker(1);
    tracker.forward({ n: 1 }, {});
    tracker.forward({ n: 2 }, {});
    tracker.forward({ n: 3 }, {});
    expect(tracker.recognises({ n: 2 })).toBe(true);
    expect(tracker.recognises({ n: 4 })).toBe(false);
    tracker.confirm(0, { n: 2 });
    expect(tracker.recognises({ n: 1 })).toBe(false);
    expect(tracker.recognises({ n: 2 })).toBe(true);
  });

  it("takes the same echo twice without calling it unknown (targets that echo after every drain)", () => {
    const tracker = new CheckpointTracker(1);
    tracker.forward({ n: 1 }, { s: 1 });
    expect(tracker.confirm(0, { n: 1 })).toMatchObject({ sequence: 1 });
    expect(tracker.confirm(0, { n: 1 })).toBeUndefined();
    expect(tracker.confirm(0, { n: 0 })).toBe("unknown");
  });

  it("confirms everything with one echo at the end (classic targets), memory bounded however long the run", () => {
    const tracker = new CheckpointTracker(2);
    for (let n = 1; n <= 50_000; n += 1) tracker.forward({ n }, { s: n });
    expect(tracker.confirm(0, { n: 50_000 })).toBeUndefined();
    expect(tracker.confirm(1, { n: 50_000 })).toEqual({ sequence: 50_000, value: { n: 50_000 }, delivered: { s: 50_000 } });
    expect((tracker as unknown as { forwarded: unknown[] }).forwarded.length).toBeLessThanOrEqual(10_000);
  });

  it("keeps the state each target stands on when thinning, so the slower one still moves the checkpoint", () => {
    const tracker = new CheckpointTracker(2);
    for (let n = 1; n <= 3; n += 1) tracker.forward({ n }, { s: n });
    tracker.confirm(0, { n: 3 });
    for (let n = 4; n <= 30_000; n += 1) tracker.forward({ n }, { s: n });
    expect(tracker.confirm(1, { n: 3 })).toEqual({ sequence: 3, value: { n: 3 }, delivered: { s: 3 } });
  });

  it("after thinning, recent states still match exactly, and an echo of a dropped one is ignored quietly, not called unknown", () => {
    const tracker = new CheckpointTracker(1);
    // A target 25,000 STATEs behind (one STATE per record, large batches): thinning has run several times.
    for (let n = 1; n <= 25_100; n += 1) tracker.forward({ n }, { s: n });
    expect(tracker.confirm(0, { n: 9_999 })).toBeUndefined();
    expect(tracker.confirm(0, { n: 9_998 })).toBeUndefined();
    expect(tracker.confirm(0, { n: 25_000 })).toEqual({ sequence: 25_000, value: { n: 25_000 }, delivered: { s: 25_000 } });
    expect(tracker.confirm(0, { n: 123_456 })).toBe("unknown");
  });

  it("a repeated value replaces the one just before it, and the echo still confirms the newest", () => {
    const tracker = new CheckpointTracker(1);
    tracker.forward({}, { s: 1 });
    tracker.forward({}, { s: 2 });
    expect(tracker.confirm(0, {})).toEqual({ sequence: 2, value: {}, delivered: { s: 2 } });
  });
});
