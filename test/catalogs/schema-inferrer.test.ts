import { describe, expect, it } from "vitest";
import { SchemaInferrer, textConverter, TextConversionError, textKind } from "../../catalogs/index.js";

function inferText(rows: Array<Record<string, string>>, keyFields: string[] = [], nullable: "observed" | "always" = "observed"): Record<string, unknown> {
  const inferrer = new SchemaInferrer({ mode: "text", keyFields, nullable });
  for (const row of rows) inferrer.observe(row);
  return inferrer.toSchema()["properties"] as Record<string, unknown>;
}

describe("textKind", () => {
  it.each([
    ["42", "integer"],
    ["-7", "integer"],
    ["0", "integer"],
    ["007", "string"],
    ["1.5", "number"],
    ["-0.25", "number"],
    ["1e5", "number"],
    [".5", "number"],
    ["12345678901234567890", "string"],
    ["true", "boolean"],
    ["FALSE", "boolean"],
    ["2024-03-01T10:00:00Z", "date-time"],
    ["2024-03-01 10:00:00.5+02:00", "date-time"],
    ["2024-03-01", "date"],
    ["2024-13-45", "string"],
    ["", "null"],
    ["hello", "string"],
    ["-", "string"],
  ])("%j is %s", (text, kind) => {
    expect(textKind(text)).toBe(kind);
  });
});

describe("SchemaInferrer (text)", () => {
  it("infers each column's type, nullable only where a null was seen", () => {
    const properties = inferText([
      { id: "1", price: "2", ok: "true", at: "2024-01-01T00:00:00Z", note: "" },
      { id: "2", price: "2.5", ok: "false", at: "2024-01-02T00:00:00Z", note: "hi" },
    ]);
    expect(properties).toEqual({
      id: { type: "integer" },
      price: { type: "number" },
      ok: { type: "boolean" },
      at: { type: "string", format: "date-time" },
      note: { type: ["null", "string"] },
    });
  });

  it("falls back to string for mixes that are not numeric", () => {
    expect(inferText([{ a: "1" }, { a: "x" }])).toEqual({ a: { type: "string" } });
    expect(inferText([{ a: "2024-01-01T00:00:00Z" }, { a: "soon" }])).toEqual({ a: { type: "string" } });
    expect(inferText([{ a: "2024-01-01" }, { a: "2024-01-01T00:00:00Z" }])).toEqual({ a: { type: "string" } });
  });

  it("makes a column with no values a nullable string", () => {
    expect(inferText([{ a: "" }, { a: "" }])).toEqual({ a: { type: ["null", "string"] } });
  });

  it("makes non-key columns nullable when told to, keys not", () => {
    expect(inferText([{ id: "1", a: "2" }], ["id"], "always")).toEqual({ id: { type: "integer" }, a: { type: ["null", "integer"] } });
  });
});

describe("SchemaInferrer (json)", () => {
  it("infers nested objects, arrays and unions", () => {
    const inferrer = new SchemaInferrer({ mode: "json", nullable: "observed" });
    inferrer.observe({ id: 1, tags: ["a"], address: { zip: "1", geo: { lat: 1.5 } }, mixed: 1, at: "2024-01-01T00:00:00Z" });
    inferrer.observe({ id: 2, tags: [], address: { zip: "2", geo: { lat: 2 } }, mixed: "x", at: null });
    expect(inferrer.toSchema()).toEqual({
      type: "object",
      properties: {
        id: { type: "integer" },
        tags: { type: "array", items: { type: "string" } },
        address: { type: "object", properties: { zip: { type: "string" }, geo: { type: "object", properties: { lat: { type: "number" } } } } },
        mixed: { type: ["integer", "string"] },
        at: { type: ["null", "string"], format: "date-time" },
      },
    });
  });
});

describe("textConverter", () => {
  it("converts text to the schema's type", () => {
    expect(textConverter({ type: "integer" })("42")).toBe(42);
    expect(textConverter({ type: ["null", "number"] })("-1.25")).toBe(-1.25);
    expect(textConverter({ type: ["null", "number"] })("")).toBeNull();
    expect(textConverter({ type: "boolean" })("TRUE")).toBe(true);
    expect(textConverter({ type: "string" })("")).toBe("");
    expect(textConverter({ type: ["null", "object"] })('{"a":1}')).toEqual({ a: 1 });
  });

  it("throws for text that does not fit", () => {
    expect(() => textConverter({ type: "integer" })("4.5")).toThrow(TextConversionError);
    expect(() => textConverter({ type: "integer" })("")).toThrow('expected integer, got ""');
    expect(() => textConverter({ type: "number" })("abc")).toThrow('expected number, got "abc"');
    expect(() => textConverter({ type: "boolean" })("yes")).toThrow(TextConversionError);
  });
});
