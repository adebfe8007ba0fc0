import { beforeEach, describe, expect, it } from "vitest";
import { exactRecord, isExactNumber, NumberPlaces, parseMessage, stringifyJson, type JsonSchema, type RecordMessage } from "../../../protocol/index.js";
import { holdsExactNumbers } from "../../../protocol/values/exact-json.js";
import { GENERATE_AFTER_RECORDS } from "../../../protocol/values/number-places.js";

const SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    price: { type: ["null", "number"] },
    tags: { type: "array", items: { type: "string" } },
    sizes: { type: "array", items: { type: "number" } },
    address: { type: "object", properties: { zip: { type: "string" }, floor: { type: "integer" } } },
    extra: {},
    constructor: { type: "number" },
  },
};

/** "first": every number judged, as for a schema's first records; "generated": by the checks made from the schema. */
type Tier = "first" | "generated";
let tier: Tier = "first";

/** The schema's NumberPlaces in the current tier: as made, or past the records after which its checks are generated as code. */
function placesOf(schema: JsonSchema): NumberPlaces {
  const places = new NumberPlaces(schema);
  if (tier === "generated") for (let index = 0; index < GENERATE_AFTER_RECORDS; index += 1) places.mayHoldChangedNumbers({}, "{}");
  return places;
}

/** Whether the line's record comes back with exact numbers when judged through the schema's NumberPlaces. */
function exactThroughPlaces(line: string, schema: JsonSchema = SCHEMA): boolean {
  const message = parseMessage(line) as RecordMessage;
  const record = exactRecord(message, line, 1, placesOf(schema));
  return record !== message.record;
}

const line = (record: string): string => `{"type":"RECORD","stream":"s","record":${record}}`;

describe.each<Tier>(["first", "generated"])("NumberPlaces, its checks %s", (current) => {
  beforeEach(() => {
    tier = current;
  });

  it("passes a record whose numbers a double holds, without parsing it again", () => {
    expect(
      exactThroughPlaces(line(`{"id":12,"name":"2023-01-05 e-mail 1e400 -0","price":1.5,"tags":["0"],"sizes":[1,2.25],"address":{"zip":"0","floor":3}}`)),
    ).toBe(false);
  });

  it.each([
    ["an integer past 2^53", `{"id":9007199254740993}`],
    ["a long decimal", `{"price":1234567890123456.78}`],
    ["-0", `{"price":-0}`],
    ["-0.0 in an array", `{"sizes":[1,-0.0]}`],
    ["an exponent past a double's range", `{"price":1e400}`],
    ["an exponent below it", `{"price":2.5e-400}`],
    ["a subnormal", `{"price":4.9e-324}`],
    ["a nested number", `{"address":{"floor":-0}}`],
    ["an untyped property", `{"extra":{"deep":[1e999]}}`],
    ["a property the schema does not declare", `{"id":1,"other":-0}`],
    ["an own property named constructor", `{"constructor":1e-400}`],
  ])("reads %s exactly", (_what, record) => {
    const message = parseMessage(line(record)) as RecordMessage;
    const exact = exactRecord(message, line(record), 1, placesOf(SCHEMA));
    expect(holdsExactNumbers(exact)).toBe(true);
    expect(stringifyJson(exact)).toBe(record);
  });

  it("reads a plain 0 as 0 unless the line has a negative exponent", () => {
    expect(exactThroughPlaces(line(`{"id":0,"price":0}`))).toBe(false);
    // Read again for the e-, and still a plain 0.
    const zeroLine = line(`{"id":0,"price":0e-5}`);
    expect(exactRecord(parseMessage(zeroLine) as RecordMessage, zeroLine, 1, placesOf(SCHEMA))).toEqual({ id: 0, price: 0 });
  });

  it("judges everything where the schema is not plain enough to be sure of", () => {
    const anyOf: JsonSchema = { type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "number" }] } } };
    expect(exactThroughPlaces(line(`{"v":-0}`), anyOf)).toBe(true);
    const withRef: JsonSchema = { type: "object", properties: { v: { $ref: "#/definitions/n", type: "string" } }, definitions: { n: { type: "number" } } };
    expect(exactThroughPlaces(line(`{"v":1e400}`), withRef)).toBe(true);
    const tuple: JsonSchema = { type: "object", properties: { v: { type: "array", items: [{ type: "string" }, { type: "number" }] } } };
    expect(exactThroughPlaces(line(`{"v":["a",-0]}`), tuple)).toBe(true);
    expect(exactThroughPlaces(line(`{"v":-0}`), {})).toBe(true);
  });

  it("looks at a place typed as a string only before its checks are made: the record fails validation, and the caller reads it whole", () => {
    expect(exactThroughPlaces(line(`{"name":-0}`))).toBe(tier === "first");
    const message = parseMessage(line(`{"name":-0}`)) as RecordMessage;
    expect(isExactNumber(exactRecord(message, line(`{"name":-0}`), 1)["name"])).toBe(true);
  });

  it("takes names as data", () => {
    const hostile = `a"]; throw new Error("injected"); //`;
    const schema: JsonSchema = { type: "object", properties: { [hostile]: { type: "number" }, __proto__x: { type: "number" } } };
    expect(exactThroughPlaces(line(JSON.stringify({ [hostile]: 1 })), schema)).toBe(false);
    expect(exactThroughPlaces(line(`{${JSON.stringify(hostile)}:-0}`), schema)).toBe(true);
  });
});
