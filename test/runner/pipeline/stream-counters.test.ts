import { describe, expect, it } from "vitest";
import { countOf, StreamCounters } from "../../../runner/pipeline/stream-counters.js";

describe("StreamCounters", () => {
  it("counts streams whose names an object has by inheritance as any other", () => {
    const counts = new StreamCounters();
    for (const stream of ["__proto__", "constructor", "toString", "hasOwnProperty", "users", "__proto__", "constructor"]) counts.add(stream);
    counts.add("users", 3);
    expect(counts.total).toBe(10);
    expect(Object.entries(counts.byStream)).toEqual([
      ["__proto__", 2],
      ["constructor", 2],
      ["toString", 1],
      ["hasOwnProperty", 1],
      ["users", 4],
    ]);
    expect(countOf(counts.byStream, "valueOf")).toBe(0);
  });

  it("hands out snapshots that later counts do not change", () => {
    const counts = new StreamCounters();
    counts.add("constructor");
    const before = counts.snapshot();
    counts.add("constructor");
    expect(countOf(before, "constructor")).toBe(1);
    expect(countOf(counts.byStream, "constructor")).toBe(2);
  });
});
