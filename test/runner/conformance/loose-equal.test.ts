import { describe, expect, it } from "vitest";
import { looselyEqual, storedField } from "../../../runner/conformance/loose-equal.js";

describe("reading back what a target stored", () => {
  it("rebuilds an object a target flattened into address__… columns, leaves as text", () => {
    const row = { id: "1", address__city: "Oslo", address__geo__lat: "59.9", address__geo__lon: "10.7" };
    expect(storedField(row, "address")).toEqual({ city: "Oslo", geo: { lat: "59.9", lon: "10.7" } });
    expect(looselyEqual({ city: "Oslo", geo: { lat: 59.9, lon: 10.7 } }, storedField(row, "address"))).toBe(true);
    expect(looselyEqual({ city: "Bergen", geo: { lat: 59.9, lon: 10.7 } }, storedField(row, "address"))).toBe(false);
  });

  it("prefers a column of the field's own name, and finds nothing where there is nothing", () => {
    expect(storedField({ address: '{"city":"Oslo"}', address__city: "x" }, "address")).toBe('{"city":"Oslo"}');
    expect(storedField({ id: 1 }, "address")).toBeUndefined();
    expect(looselyEqual({ city: "Oslo" }, storedField({ id: 1 }, "address"))).toBe(false);
  });

  it("does not take a list's Python repr for the list", () => {
    expect(looselyEqual(["a", "b"], "['a', 'b']")).toBe(false);
    expect(looselyEqual(["a", "b"], '["a","b"]')).toBe(true);
  });
});
