import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { approximateNumbers } from "../../../protocol/values/exact-json.js";
import {
  compareNumbers,
  exactRecord,
  ExactNumber,
  isExactNumber,
  mayHoldExactNumbers,
  numberFromText,
  parseJson,
  parseJsonExact,
  parseMessageLine,
  RecordValidator,
  serializeMessage,
  stringifyJson,
  type RecordMessage,
} from "../../../protocol/index.js";

describe("numberFromText", () => {
  it("keeps a plain number where the double holds the same decimal value", () => {
    for (const [text, value] of [
      ["1", 1],
      ["1.50", 1.5],
      ["1e3", 1000],
      ["-12.25", -12.25],
      ["0.0", 0],
      ["9007199254740991", 9007199254740991],
      ["1e-7", 1e-7],
    ] as const) {
      expect(numberFromText(text)).toBe(value);
    }
  });

  it("keeps the text of a number the double would change", () => {
    for (const text of [
      "9007199254740993",
      "-9223372036854775809",
      "18446744073709551615",
      "123456789012345678901234567890.123456789",
      "1234567890123456.78",
      "1e400",
      "-1E400",
      "2.5e-400",
      "-0",
      "-0.0",
    ]) {
      const number = numberFromText(text);
      expect(isExactNumber(number), text).toBe(true);
      expect((number as ExactNumber).text).toBe(text);
    }
  });
});

describe("ExactNumber", () => {
  it("tells integers from fractions by the text, and gives the exact BigInt", () => {
    expect(new ExactNumber("9007199254740993").toBigInt()).toBe(9007199254740993n);
    expect(new ExactNumber("1.5e3").toBigInt()).toBe(1500n);
    expect(new ExactNumber("-2.55E1").isInteger).toBe(false);
    expect(new ExactNumber("12345678901234567.5").isInteger).toBe(false);
    expect(() => new ExactNumber("12345678901234567.5").toBigInt()).toThrow(RangeError);
  });

  it("refuses arithmetic and JSON.stringify instead of rounding", () => {
    const number = new ExactNumber("9007199254740993");
    expect(() => (number as unknown as number) * 2).toThrow(/exact number/);
    expect(() => JSON.stringify({ number })).toThrow(/stringifyJson/);
    expect(`${number}`).toBe("9007199254740993");
    expect(() => new ExactNumber("12abc")).toThrow(TypeError);
  });
});

describe("parseJsonExact and stringifyJson", () => {
  it("round-trips every number as written, nested, with __proto__ as data", () => {
    const text =
      '{"id":9007199254740993,"__proto__":{"x":1e400},"price":1234567890123456.78,"z":-0,"u":2.5e-400,"list":[1,2.5,18446744073709551615],"s":"1e400"}';
    const value = parseJsonExact(text) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toContain("__proto__");
    expect(stringifyJson(value)).toBe(text);
  });

  it("writes plain values exactly as JSON.stringify does, and BigInts as digits", () => {
    const value = { a: 1, b: [1, "x", null, undefined, () => 1], c: { d: undefined, e: new Date(0) }, f: 12345678901234567890n };
    expect(stringifyJson(value)).toBe('{"a":1,"b":[1,"x",null,null,null],"c":{"e":"1970-01-01T00:00:00.000Z"},"f":12345678901234567890}');
    expect(stringifyJson({ a: [1, 2], b: "x" })).toBe(JSON.stringify({ a: [1, 2], b: "x" }));
  });

  it("refuses a key given twice with different values", () => {
    expect(() => parseJsonExact('{"a":9007199254740993,"a":1}')).toThrow(/Duplicate key/);
  });

  it("keeps any integer or decimal text through parse and stringify (property)", () => {
    const integer = fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String);
    const decimal = fc.tuple(integer, fc.stringMatching(/^[0-9]{1,30}$/)).map(([whole, fraction]) => `${whole}.${fraction}`);
    fc.assert(
      fc.property(fc.oneof(integer, decimal), (text) => {
        const line = `{"v":${text}}`;
        const parsed = parseJsonExact(line) as { v: unknown };
        const back = stringifyJson(parsed);
        // Where a plain number came back, it is the same decimal value (1.50 may come back as 1.5).
        if (back !== line) expect(Number(text)).toBe(parsed.v);
        else expect(back).toBe(line);
        return true;
      }),
    );
  });
});

describe("mayHoldExactNumbers", () => {
  it("flags lines whose numbers a double may change, and passes common records", () => {
    for (const line of ['{"a":9007199254740993}', '{"a":[1,1.000000000000001]}', '{"a":1e5}', '{"a":-0}', '{"a": -0.0 }', '{"a":[-0]}'])
      expect(mayHoldExactNumbers(line), line).toBe(true);
    for (const line of ['{"a":123456,"b":97.25,"c":"2024-01-02T03:04:05Z","d":"3e4f-9e8d"}', '{"a":-0.5,"b":"-0"}', '{"id":"9007199254740993"}'])
      expect(mayHoldExactNumbers(line), line).toBe(false);
  });
});

describe("parseJson", () => {
  it("keeps every digit of a text that is one number, as of numbers inside objects and arrays", () => {
    for (const text of ["12345678901234567890", " -9007199254740993", "1e400", "-0", "[12345678901234567890]", '{"a":1.00000000000000000001}']) {
      expect(stringifyJson(parseJson(text)), text).toBe(text.trim());
    }
    expect(parseJson("42")).toBe(42);
    expect(parseJson('"007"')).toBe("007");
  });
});

describe("a RECORD line", () => {
  const line = '{"type":"RECORD","stream":"s","record":{"id":9007199254740993,"amount":123456789012345678901234567890.123456789,"n":1}}';

  /** The record as a consumer of its values gets it (exactRecord). */
  const exactOf = (text: string): Record<string, unknown> => exactRecord(parseMessageLine(text, 1).message as RecordMessage, text, 1);

  it("carries its exact numbers from parse to serialize", () => {
    const parsed = parseMessageLine(line, 1).message as RecordMessage;
    const record = exactRecord(parsed, line, 1);
    expect(record["n"]).toBe(1);
    expect(isExactNumber(record["id"])).toBe(true);
    expect(serializeMessage({ ...parsed, record })).toBe(`${line}\n`);
    // A line with nothing a double would change: the parsed record itself, parsed once.
    const plain = '{"type":"RECORD","stream":"s","record":{"id":12,"price":1.5}}';
    const message = parseMessageLine(plain, 1).message as RecordMessage;
    expect(exactRecord(message, plain)).toBe(message.record);
  });

  it("is validated by the numbers' meaning", () => {
    const validator = new RecordValidator();
    validator.setSchema("s", { type: "object", properties: { id: { type: "integer" }, amount: { type: "number", maximum: 1e38 }, n: { type: "integer" } } });
    expect(validator.validate("s", exactOf(line))).toBeUndefined();
    expect(validator.validate("s", exactOf(line.replace("123456789012345678901234567890.123456789", "1e400")))?.message).toMatch(/amount/);
    expect(validator.validate("s", exactOf(line.replace("9007199254740993", "2.5e-400")))?.message).toMatch(/id.*integer/);
    // An exact number is a number, never an object.
    validator.setSchema("o", { type: "object", properties: { id: { type: "object" } } });
    expect(validator.validate("o", exactOf(line.replace('"s"', '"o"')))?.message).toMatch(/id/);
  });

  it("refuses a fraction where the schema wants an integer, though its nearest double is whole", () => {
    const validator = new RecordValidator();
    validator.setSchema("s", {
      type: "object",
      properties: {
        id: { type: ["null", "integer"] },
        list: { type: "array", items: { type: "object", properties: { n: { type: "integer" } } } },
        amount: { type: "number" },
      },
    });
    const record = (text: string): Record<string, unknown> => exactOf(`{"type":"RECORD","stream":"s","record":${text}}`);
    expect(validator.validate("s", record('{"id":12345678901234567.5}'))?.message).toBe("record field /id expected integer, got a number with a fraction");
    expect(validator.validate("s", record('{"list":[{"n":1},{"n":98765432109876543.25}]}'))?.message).toBe(
      "record field /list/1/n expected integer, got a number with a fraction",
    );
    expect(validator.validate("s", record('{"id":12345678901234567890,"amount":12345678901234567.5}'))).toBeUndefined();
  });

  it("approximates for validation without touching the record", () => {
    const record = exactOf(line);
    const approximate = approximateNumbers(record) as Record<string, unknown>;
    expect(typeof approximate["id"]).toBe("number");
    expect(isExactNumber(record["id"])).toBe(true);
  });
});

describe("stringifyJson with indentation", () => {
  it("indents as JSON.stringify does, exact numbers included", () => {
    const value = { a: [1, { b: "x", c: [] }], d: {}, e: null };
    expect(stringifyJson({ ...value, n: 12345678901234567890n }, 2)).toBe(
      JSON.stringify({ ...value, n: 1 }, null, 2).replace('"n": 1', '"n": 12345678901234567890'),
    );
  });
});

describe("a message type in another case", () => {
  it("is written again with every number as the line had it", () => {
    const line = '{"type":"record","stream":"s","record":{"id":9007199254740993}}';
    const parsed = parseMessageLine(line, 1);
    expect(parsed.raw).toBe('{"type":"RECORD","stream":"s","record":{"id":9007199254740993}}');
    const state = parseMessageLine('{"type":"state","value":{"id":12345678901234567890}}', 2);
    expect(state.raw).toBe('{"type":"STATE","value":{"id":12345678901234567890}}');
  });
});

describe("compareNumbers", () => {
  const exact = (text: string) => new ExactNumber(text);
  it.each([
    [exact("9007199254740993"), exact("9007199254740992"), 1],
    [exact("9007199254740992"), 9007199254740992, 0],
    [exact("-9007199254740993"), -9007199254740992, -1],
    [exact("1e400"), Number.MAX_VALUE, 1],
    [exact("-1e400"), exact("-1e399"), -1],
    [exact("2.5e-400"), 0, 1],
    [exact("-2.5e-400"), 0, -1],
    [exact("-0"), 0, 0],
    [0.1, exact("1e-1"), 0],
    [exact("123456789012345678901234567890.123456789"), exact("123456789012345678901234567890.12345679"), -1],
    [exact("0.30000000000000000001"), 0.3, 1],
    [exact("-0.30000000000000000001"), -0.3, -1],
    [1.5, 2, -1],
  ])("orders %s and %s as %i", (left, right, order) => {
    expect(compareNumbers(left, right)).toBe(order);
    expect(compareNumbers(right, left)).toBe(-order || 0);
  });

  it("has no order for what is not a finite number", () => {
    expect(compareNumbers(Number.NaN, 1)).toBeUndefined();
    expect(compareNumbers(Infinity, exact("1e400"))).toBeUndefined();
    expect(compareNumbers("2", 1)).toBeUndefined();
  });

  it("agrees with the doubles wherever a double holds both numbers", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), (a, b) => {
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(compareNumbers(exact(String(a)), exact(String(b)))).toBe(expected);
      }),
    );
  });
});
