import { describe, expect, it } from "vitest";
import { parseMessageLine, RecordValidator, type JsonSchema, type RecordMessage } from "../../../protocol/index.js";
import { compilableSchema, schemaDialect } from "../../../protocol/validation/schema-dialect.js";

function validatorFor(schema: JsonSchema): (record: Record<string, unknown>) => string | undefined {
  const validator = new RecordValidator();
  validator.setSchema("s", schema);
  return (record) => validator.validate("s", record)?.message;
}

/** A numeric column as singer-io's tap-postgres describes it (draft-04, no $schema). */
const SINGER_NUMERIC: JsonSchema = {
  type: "object",
  properties: { amount: { type: ["null", "number"], exclusiveMaximum: true, maximum: 1e38, exclusiveMinimum: true, minimum: -1e38, multipleOf: 1e-38 } },
};

describe("schema dialects", () => {
  it("reads draft-04's boolean bounds with draft-04's meaning, with or without $schema", () => {
    expect(schemaDialect(SINGER_NUMERIC)).toBe("draft-04");
    const check = validatorFor(SINGER_NUMERIC);
    expect(check({ amount: 1234.5678 })).toBeUndefined();
    expect(check({ amount: 0.1 })).toBeUndefined();
    expect(check({ amount: null })).toBeUndefined();
    expect(check({ amount: 1e38 })).toMatch(/amount/);
    const bounded = validatorFor({
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "object",
      properties: { n: { type: "integer", maximum: 5, exclusiveMaximum: true } },
    });
    expect(bounded({ n: 4 })).toBeUndefined();
    expect(bounded({ n: 5 })).toMatch(/n/);
  });

  it("keeps exact decimals valid under draft-04's 1e-38 multipleOf", () => {
    const check = (line: string): string | undefined => {
      const validator = new RecordValidator();
      validator.setSchema("s", SINGER_NUMERIC);
      return validator.validate("s", (parseMessageLine(line, 1).message as RecordMessage).record)?.message;
    };
    expect(check('{"type":"RECORD","stream":"s","record":{"amount":123456789012345678901234567890.123456789}}')).toBeUndefined();
  });

  it("reads 2020-12 keywords when $schema names 2020-12, and draft-07's meaning otherwise", () => {
    const tuple = { type: "object", properties: { pair: { type: "array", prefixItems: [{ type: "integer" }, { type: "string" }], items: false } } };
    const modern = validatorFor({ $schema: "https://json-schema.org/draft/2020-12/schema", ...tuple });
    expect(schemaDialect({ $schema: "https://json-schema.org/draft/2020-12/schema" })).toBe("2020-12");
    expect(modern({ pair: [1, "a"] })).toBeUndefined();
    expect(modern({ pair: ["a", 1] })).toMatch(/pair/);
    expect(modern({ pair: [1, "a", 3] })).toMatch(/pair/);
    const required = validatorFor({ $schema: "https://json-schema.org/draft/2019-09/schema", type: "object", dependentRequired: { card: ["expiry"] } });
    expect(required({ card: "x" })).toMatch(/expiry/);
    expect(required({ card: "x", expiry: "y" })).toBeUndefined();
    // Without $schema, draft-07: `items` as an array is the tuple form.
    const classic = validatorFor({ type: "object", properties: { pair: { type: "array", items: [{ type: "integer" }, { type: "string" }] } } });
    expect(classic({ pair: [1, "a"] })).toBeUndefined();
    expect(classic({ pair: ["a", 1] })).toMatch(/pair/);
  });

  it("takes an empty enum as 'no value is valid' instead of refusing the schema", () => {
    const check = validatorFor({ type: "object", properties: { never: { enum: [] }, enum: { type: "string" } } });
    expect(check({ enum: "a property named enum" })).toBeUndefined();
    expect(check({ never: 1 })).toMatch(/never/);
  });

  it("leaves the schema it was given unchanged, and keeps a property named __proto__", () => {
    const schema = JSON.parse('{"$schema":"x","type":"object","properties":{"__proto__":{"enum":[]}}}') as JsonSchema;
    const usable = compilableSchema(schema) as Record<string, Record<string, unknown>>;
    expect(schema["$schema"]).toBe("x");
    expect(Object.keys(usable["properties"] ?? {})).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(usable["properties"])).toBe(Object.prototype);
  });
});
