import { describe, expect, it } from "vitest";
import { createAjv } from "../../../protocol/index.js";
import { PartValidators, splitObjectSchema } from "../../../protocol/validation/piecewise-schema.js";
import { SchemaCheck, WHOLE_AFTER_RECORDS } from "../../../protocol/validation/schema-check.js";
import { compilableSchema, schemaDialect } from "../../../protocol/validation/schema-dialect.js";
import type { JsonSchema } from "../../../protocol/index.js";

/** Schemas whose parts are checked apart, each with records that are valid and records that are not. */
const CASES: ReadonlyArray<{ readonly schema: JsonSchema; readonly records: readonly string[] }> = [
  {
    schema: {
      type: "object",
      properties: {
        id: { type: "integer", minimum: 1 },
        name: { type: ["null", "string"], maxLength: 5 },
        at: { type: "string", format: "date-time" },
        tags: { type: "array", items: { type: "string" } },
        address: { type: ["null", "object"], properties: { zip: { type: "string" } }, required: ["zip"] },
      },
      required: ["id"],
      minProperties: 1,
    },
    records: [
      '{"id":1}',
      '{"id":0}',
      '{"name":"x"}',
      '{"id":2,"name":"toolong"}',
      '{"id":3,"at":"2024-01-01T00:00:00Z","tags":["a"],"address":{"zip":"1"}}',
      '{"id":3,"at":"monday"}',
      '{"id":3,"tags":["a",1]}',
      '{"id":3,"address":{}}',
      '{"id":3,"other":{"deep":[1,2]}}',
      "[1,2]",
      '"text"',
      "null",
    ],
  },
  {
    schema: { type: "object", properties: { a: { type: "integer" }, "a/b~c": { type: "string" } }, additionalProperties: false },
    records: ['{"a":1}', '{"a":1,"b":2}', '{"a/b~c":"x"}', '{"a/b~c":1}', "{}"],
  },
  {
    schema: { type: "object", properties: { a: { type: "integer" } }, additionalProperties: { type: "string" } },
    records: ['{"a":1,"b":"x"}', '{"a":1,"b":2}', '{"b":"x","c":null}'],
  },
  {
    // Names that are Object.prototype's own: only a record's own properties count.
    schema: { type: "object", properties: { constructor: { type: "string" }, __proto__: { type: "integer" }, toString: { type: "null" } } },
    records: ['{"constructor":"x"}', '{"constructor":1}', '{"__proto__":5}', '{"__proto__":"five"}', '{"toString":null,"valueOf":1}', '{"toString":1}'],
  },
  {
    // A draft-04 column as singer-python taps send it.
    schema: { type: "object", properties: { price: { type: ["null", "number"], maximum: 10, exclusiveMaximum: true } } },
    records: ['{"price":9.5}', '{"price":10}', '{"price":null}'],
  },
];

/** The verdict and the errors a check gives each record, against ajv's function for the whole schema. */
function verdicts(schema: JsonSchema, records: readonly string[], whole: boolean) {
  const ajv = createAjv({}, schemaDialect(schema));
  const usable = compilableSchema(schema);
  if (whole) {
    const validate = ajv.compile(usable);
    return records.map((text) => (validate(JSON.parse(text)) ? "valid" : validate.errors));
  }
  const check = new SchemaCheck(ajv, new PartValidators(ajv), usable);
  return records.map((text) => (check.test(JSON.parse(text)) ? "valid" : check.errors));
}

describe("SchemaCheck", () => {
  it("gives every record ajv's verdict and errors for the whole schema, checked piece by piece first", () => {
    for (const { schema, records } of CASES) {
      expect(splitObjectSchema(compilableSchema(schema))).toBeDefined();
      // The valid records first, so the invalid ones meet the piecewise tier too.
      const ordered = [...records].sort((a, b) => Number(verdicts(schema, [b], true)[0] === "valid") - Number(verdicts(schema, [a], true)[0] === "valid"));
      expect(verdicts(schema, ordered, false)).toEqual(verdicts(schema, ordered, true));
      for (const text of ordered) expect(verdicts(schema, [text], false)).toEqual(verdicts(schema, [text], true));
    }
  });

  it("is compiled whole only once it has checked WHOLE_AFTER_RECORDS records, or at its first invalid one", () => {
    const ajv = createAjv();
    const compiled: string[] = [];
    const compile = ajv.compile.bind(ajv);
    ajv.compile = ((schema: object) => {
      compiled.push(JSON.stringify(schema));
      return compile(schema);
    }) as typeof ajv.compile;
    const schema = { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } } };
    const check = new SchemaCheck(ajv, new PartValidators(ajv), schema);
    expect(compiled).toEqual(['{"type":"object"}', '{"type":"integer"}', '{"type":"string"}']);
    for (let id = 1; id < WHOLE_AFTER_RECORDS; id += 1) expect(check.test({ id, name: "n" })).toBe(true);
    expect(compiled).toHaveLength(3);
    expect(check.test({ id: 0, name: "n" })).toBe(true);
    expect(compiled.at(-1)).toBe(JSON.stringify(schema));

    const early = new SchemaCheck(ajv, new PartValidators(ajv), schema);
    const before = compiled.length;
    expect(early.test({ id: "one" })).toBe(false);
    expect(compiled.slice(before).at(-1)).toBe(JSON.stringify(schema));
    expect(early.errors?.[0]).toMatchObject({ instancePath: "/id", keyword: "type" });
  });

  it("leaves whole what parts would read differently: references, patternProperties, unevaluatedProperties", () => {
    const properties = { a: { type: "string" } };
    expect(splitObjectSchema({ type: "object", properties })).toBeDefined();
    expect(splitObjectSchema({ type: "object", properties, patternProperties: { "^x": { type: "integer" } } })).toBeUndefined();
    expect(splitObjectSchema({ type: "object", properties, unevaluatedProperties: false })).toBeUndefined();
    expect(splitObjectSchema({ type: "object", properties: { a: { $ref: "#/definitions/a" } }, definitions: { a: { type: "string" } } })).toBeUndefined();
    expect(splitObjectSchema({ type: "object", properties: { a: { $id: "urn:a", type: "string" } } })).toBeUndefined();
    expect(splitObjectSchema({ type: "array", items: { type: "string" } })).toBeUndefined();
    expect(splitObjectSchema(true)).toBeUndefined();
  });

  it("still refuses a schema ajv cannot compile, at once", () => {
    const ajv = createAjv();
    expect(() => new SchemaCheck(ajv, new PartValidators(ajv), { type: "object", properties: { a: { type: "integr" } } })).toThrow(/type/);
  });
});
