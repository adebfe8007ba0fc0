import { describe, expect, it } from "vitest";
import { RecordValidator } from "../../../protocol/index.js";

/** An object schema with `count` integer properties f0, f1, …, plus a few others. */
function wide(count: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const properties: Record<string, unknown> = { name: { type: "string" }, "a/b": { type: "integer" } };
  for (let index = 0; index < count; index += 1) properties[`f${index}`] = { type: ["null", "integer"] };
  return { type: "object", properties, required: ["name"], ...extra };
}

describe("a SCHEMA with thousands of properties", () => {
  it("compiles (ajv's code generator alone overflows the stack near 2,000) and validates field by field", () => {
    const validator = new RecordValidator();
    validator.setSchema("wide", wide(5000), 1);
    expect(validator.validate("wide", { name: "x", f0: 1, f4999: null, other: "allowed" }, 2)).toBeUndefined();
    const bad = validator.validate("wide", { name: "x", f4321: "seven" }, 3);
    expect(bad?.message).toBe('record field /f4321 expected null or integer, got string "seven"');
    expect(bad?.where.field).toBe("/f4321");
    expect(validator.validate("wide", { f1: 1 }, 4)?.message).toContain("name");
    expect(validator.validate("wide", { name: "x", "a/b": "no" }, 5)?.where.field).toBe("/a~1b");
  });

  it("keeps additionalProperties: false and schema-valued additionalProperties", () => {
    const closed = new RecordValidator();
    closed.setSchema("s", wide(300, { additionalProperties: false }), 1);
    expect(closed.validate("s", { name: "x", f1: 2 }, 2)).toBeUndefined();
    expect(closed.validate("s", { name: "x", stray: 1 }, 3)?.message).toContain("stray");
    const typed = new RecordValidator();
    typed.setSchema("s", wide(300, { additionalProperties: { type: "string" } }), 1);
    expect(typed.validate("s", { name: "x", stray: "ok" }, 2)).toBeUndefined();
    expect(typed.validate("s", { name: "x", stray: 1 }, 3)?.where.field).toBe("/stray");
  });
});
