import { describe, expect, it } from "vitest";
import { createAjv, ProtocolCodes, RecordValidator, type AgoraError } from "../../../protocol/index.js";

/** A schema in the style real Singer taps send. */
const WILD_SCHEMA = {
  $schema: "http://json-schema.org/draft-04/schema#",
  type: "object",
  selected: true,
  properties: {
    id: { type: "integer", inclusion: "automatic" },
    name: { type: ["null", "string"], inclusion: "available", maxLength: 20 },
    updated_at: { type: ["null", "string"], format: "date-time" },
    price: { type: ["null", "number"], multipleOf: 0.01 },
    amount: { anyOf: [{ type: "number" }, { type: "string", format: "singer.decimal" }] },
    address: {
      type: ["null", "object"],
      properties: { zip: { type: "string" }, lines: { type: "array", items: { type: "string" } } },
      required: ["zip"],
    },
  },
  required: ["id"],
};

function check(record: Record<string, unknown>): AgoraError | undefined {
  const validator = new RecordValidator();
  validator.setSchema("orders", WILD_SCHEMA);
  return validator.validate("orders", record, 41);
}

describe("RecordValidator", () => {
  it("accepts records that match a schema from the wild", () => {
    expect(check({ id: 1, name: null, updated_at: "2024-03-01T10:00:00Z", price: 1.15, amount: 3, address: { zip: "8001", lines: ["a"] } })).toBeUndefined();
    expect(check({ id: 2, name: "x", updated_at: "2024-03-01 10:00:00.123+02:00", price: 0.07, amount: "12.30", address: null })).toBeUndefined();
    expect(check({ id: 3, updated_at: null, price: 19.99, amount: 1 })).toBeUndefined();
  });

  it("tolerates float rounding in multipleOf", () => {
    for (const price of [1.15, 0.29, 4.35, 1234567.89, 0.1 + 0.2]) {
      expect(check({ id: 1, price: Math.round(price * 100) / 100, amount: 1 })).toBeUndefined();
    }
    expect(check({ id: 1, price: 1.155, amount: 1 })?.code).toBe(ProtocolCodes.RECORD_INVALID);
  });

  it("names the stream, line, field path and expected type", () => {
    const error = check({ id: 1, amount: 1, address: { zip: 8001 } });
    expect(error?.code).toBe(ProtocolCodes.RECORD_INVALID);
    expect(error?.where).toMatchObject({ stream: "orders", line: 41, field: "/address/zip" });
    expect(error?.message).toBe("record field /address/zip expected string, got number 8001");
  });

  it("looks only at a record's own properties: one without constructor or toString has none, and a required one is missing", () => {
    const validator = new RecordValidator();
    const text = { type: ["null", "string"] };
    validator.setSchema("s", { type: "object", properties: { constructor: text, toString: text, hasOwnProperty: text }, required: ["valueOf"] });
    expect(validator.validate("s", JSON.parse('{"valueOf":"v"}') as Record<string, unknown>, 1)).toBeUndefined();
    expect(validator.validate("s", JSON.parse('{"valueOf":"v","constructor":7}') as Record<string, unknown>, 2)?.message).toBe(
      "record field /constructor expected null or string, got number 7",
    );
    expect(validator.validate("s", {}, 3)?.message).toBe("record field /valueOf is required but missing");
  });

  it("names missing required fields and bad formats", () => {
    expect(check({ amount: 1 })?.message).toBe("record field /id is required but missing");
    expect(check({ id: 1, amount: 1, updated_at: "yesterday" })?.message).toMatch(/\/updated_at expected format date-time, got string "yesterday"/);
    expect(check({ id: "1", amount: 1 })?.message).toMatch(/\/id expected integer, got string "1"/);
  });

  /** A RecordValidator whose ajv counts its compiles. */
  function countingValidator(): { validator: RecordValidator; compiles: () => number } {
    const ajv = createAjv();
    let compiles = 0;
    const compile = ajv.compile.bind(ajv);
    ajv.compile = ((schema: unknown) => {
      compiles += 1;
      return compile(schema as object);
    }) as typeof ajv.compile;
    return { validator: new RecordValidator(() => ajv), compiles: () => compiles };
  }

  it("compiles each distinct schema once, however many streams share it", () => {
    const once = countingValidator();
    once.validator.setSchema("stream_0", structuredClone(WILD_SCHEMA));
    const many = countingValidator();
    for (let index = 0; index < 100; index += 1) many.validator.setSchema(`stream_${index}`, structuredClone(WILD_SCHEMA));
    expect(many.compiles()).toBe(once.compiles());
    expect(many.validator.validate("stream_99", { id: "x" })?.code).toBe(ProtocolCodes.RECORD_INVALID);
  });

  it("compiles the columns thousands of tables share once, not each table's schema", () => {
    const { validator, compiles } = countingValidator();
    const table = (index: number) => ({
      type: "object",
      properties: { id: { type: "integer" }, name: { type: ["null", "string"] }, [`note_${index}`]: { type: ["null", "string"] } },
      required: ["id"],
    });
    for (let index = 0; index < 2000; index += 1) validator.setSchema(`table_${index}`, table(index));
    // The shell ({type, required}), an integer and a nullable string.
    expect(compiles()).toBe(3);
    expect(validator.validate("table_1999", { id: 1, note_1999: "x" })).toBeUndefined();
    expect(validator.validate("table_1999", { id: 1, note_1999: 7 })?.message).toBe("record field /note_1999 expected null or string, got number 7");
    expect(validator.validate("table_5", { name: "x" })?.message).toBe("record field /id is required but missing");
  });

  it("reports a schema it cannot compile as INVALID_SCHEMA with the stream", () => {
    const validator = new RecordValidator();
    expect(() => validator.setSchema("bad", { type: "object", properties: { a: { $ref: "#/definitions/missing" } } }, 3)).toThrowError(
      expect.objectContaining({ code: ProtocolCodes.INVALID_SCHEMA, where: { stream: "bad", line: 3 } }) as Error,
    );
  });

  it("lets records of streams without a schema through (the framing layer rejects those)", () => {
    expect(new RecordValidator().validate("unknown", { anything: true })).toBeUndefined();
  });
});

describe("a deferred schema", () => {
  it("is compiled at the stream's first validated record, and refused there, naming the SCHEMA's line", () => {
    const validator = new RecordValidator();
    validator.deferSchema("good", { type: "object", properties: { id: { type: "integer" } } }, 3);
    validator.deferSchema("bad", { type: "object", properties: { id: { type: "no-such-type" } } } as never, 7);
    expect(validator.hasSchema("good")).toBe(true);
    expect(validator.validate("good", { id: 1 })).toBeUndefined();
    expect(validator.validate("good", { id: "x" }, 9)?.message).toContain("record field /id expected integer");
    for (const attempt of [1, 2]) {
      let thrown: unknown;
      try {
        validator.validate("bad", { id: 1 }, 8);
      } catch (error) {
        thrown = error;
      }
      expect([attempt, (thrown as AgoraError | undefined)?.code, (thrown as AgoraError | undefined)?.where]).toEqual([
        attempt,
        ProtocolCodes.INVALID_SCHEMA,
        { stream: "bad", line: 7 },
      ]);
    }
  });
});
