import { describe, expect, it } from "vitest";
import { decimalShape, valueKind, type JsonSchema } from "../../../protocol/index.js";
import { PROPERTY_CASES as CASES } from "../../helpers/property-kinds.js";

describe("valueKind: one reading of a property for every target", () => {
  it.each(CASES)("reads %s", (_what, schema, kind) => {
    expect(valueKind(schema)).toBe(kind);
  });
});

describe("decimalShape: an exact decimal column where the schema gives precision and scale", () => {
  it.each([
    // singer-python's tap-postgres for numeric(10,2): draft-04 boolean exclusive bounds.
    [
      "numeric(10,2), draft-04",
      { type: ["null", "number"], multipleOf: 0.01, maximum: 1e8, exclusiveMaximum: true, minimum: -1e8, exclusiveMinimum: true },
      { precision: 10, scale: 2 },
    ],
    ["numeric(38,9), draft-06 bounds", { type: "number", multipleOf: 1e-9, exclusiveMaximum: 1e29, exclusiveMinimum: -1e29 }, { precision: 38, scale: 9 }],
    ["inclusive bounds", { type: "number", multipleOf: 0.5e-1 * 2, maximum: 100, minimum: -5 }, { precision: 4, scale: 1 }],
    ["a 30-digit integer", { type: "integer", maximum: 1e30, exclusiveMaximum: true, minimum: -1e30, exclusiveMinimum: true }, { precision: 30, scale: 0 }],
  ])("%s", (_what, schema, shape) => {
    expect(decimalShape(schema as JsonSchema)).toEqual(shape);
  });

  it.each([
    ["unconstrained numeric (76 digits)", { type: "number", multipleOf: 1e-38, maximum: 1e38, exclusiveMaximum: true, minimum: -1e38, exclusiveMinimum: true }],
    ["no multipleOf", { type: "number", maximum: 100, minimum: 0 }],
    ["a multipleOf that is not a power of ten", { type: "number", multipleOf: 0.25, maximum: 100, minimum: 0 }],
    ["one bound only", { type: "number", multipleOf: 0.01, maximum: 100 }],
    ["an integer within int64", { type: "integer", maximum: 9223372036854775807, minimum: -9223372036854775808 }],
    ["a string", { type: "string", multipleOf: 0.01, maximum: 1, minimum: 0 }],
  ])("none for %s", (_what, schema) => {
    expect(decimalShape(schema as JsonSchema)).toBeUndefined();
  });
});
