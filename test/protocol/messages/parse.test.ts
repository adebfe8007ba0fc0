import { describe, expect, it } from "vitest";
import {
  type AgoraError,
  createMessageSchemaValidator,
  parseMessageLine,
  ProtocolCodes,
  ProtocolError,
  serializeMessage,
  type Message,
} from "../../../protocol/index.js";

function codeOf(raw: string): string | undefined {
  try {
    parseMessageLine(raw, 7);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as AgoraError).where.line).toBe(7);
    return (error as AgoraError).code;
  }
}

const VALID: Record<string, string> = {
  SCHEMA: '{"type":"SCHEMA","stream":"users","schema":{"type":"object"},"key_properties":["id"],"bookmark_properties":["updated_at"]}',
  RECORD: '{"type":"RECORD","stream":"users","record":{"id":1},"time_extracted":"2024-01-01T00:00:00Z","version":3}',
  STATE: '{"type":"STATE","value":{"bookmarks":{}}}',
  ACTIVATE_VERSION: '{"type":"ACTIVATE_VERSION","stream":"users","version":17}',
  BATCH: '{"type":"BATCH","stream":"users","encoding":{"format":"jsonl","compression":"gzip"},"manifest":["file:///tmp/a.jsonl.gz"]}',
  DEAD_LETTER:
    '{"type":"DEAD_LETTER","stream":"users","stage":"source","raw":"1,2,x","error":{"code":"BAD_ROW","message":"3 columns, expected 4"},"location":{"file":"u.csv","line":9}}',
};

const INVALID: Array<[string, string]> = [
  ['{"type":"RECORD","record":{"id":1}}', "RECORD without stream"],
  ['{"type":"RECORD","stream":"","record":{"id":1}}', "RECORD with empty stream"],
  ['{"type":"RECORD","stream":"users","record":[1]}', "RECORD whose record is an array"],
  ['{"type":"RECORD","stream":"users","record":{},"version":"3"}', "RECORD with string version"],
  ['{"type":"SCHEMA","stream":"users","schema":"x","key_properties":[]}', "SCHEMA with string schema"],
  ['{"type":"SCHEMA","stream":"users","schema":{},"key_properties":"id"}', "SCHEMA with string keys"],
  ['{"type":"STATE"}', "STATE without value"],
  ['{"type":"ACTIVATE_VERSION","stream":"users"}', "ACTIVATE_VERSION without version"],
  ['{"type":"BATCH","stream":"users","encoding":{},"manifest":[]}', "BATCH without format"],
  ['{"type":"BATCH","stream":"users","encoding":{"format":"jsonl"},"manifest":[1]}', "BATCH with non-string manifest"],
  ['{"type":"DEAD_LETTER","stream":"users","stage":"somewhere","error":{"code":"X","message":"m"}}', "DEAD_LETTER with an unknown stage"],
  ['{"type":"DEAD_LETTER","stream":"users","stage":"source","error":"boom"}', "DEAD_LETTER with a string error"],
];

describe("parseMessageLine", () => {
  it.each(Object.entries(VALID))("parses a %s message", (type, raw) => {
    const parsed = parseMessageLine(raw, 1);
    expect(parsed.known).toBe(true);
    expect(parsed.message.type).toBe(type);
    expect(parsed.raw).toBe(raw);
    expect(parsed.message).toEqual(JSON.parse(raw));
  });

  it("fills in key_properties a tap left out", () => {
    const parsed = parseMessageLine('{"type":"SCHEMA","stream":"s","schema":{}}', 1);
    expect(parsed.message).toMatchObject({ key_properties: [] });
  });

  it.each(INVALID)("rejects %s (%s) as INVALID_MESSAGE", (raw) => {
    expect(codeOf(raw)).toBe(ProtocolCodes.INVALID_MESSAGE);
  });

  it("names invalid JSON with the line and an excerpt", () => {
    expect(() => parseMessageLine('{"type":"RECORD", oops}', 12)).toThrowError(/invalid JSON .* in "\{\\"type\\":\\"RECORD\\", oops\}"/);
    expect(codeOf("{not json")).toBe(ProtocolCodes.INVALID_JSON);
  });

  it("rejects values that are not objects and objects without a type", () => {
    expect(codeOf("[1,2]")).toBe(ProtocolCodes.NOT_AN_OBJECT);
    expect(codeOf('"RECORD"')).toBe(ProtocolCodes.NOT_AN_OBJECT);
    expect(codeOf('{"stream":"users"}')).toBe(ProtocolCodes.MISSING_TYPE);
    expect(codeOf('{"type":42}')).toBe(ProtocolCodes.MISSING_TYPE);
  });

  it("passes unknown types through untouched", () => {
    const raw = '{"type":"METRIC","value":{"n":1},"extra":[1,2]}';
    const parsed = parseMessageLine(raw, 3);
    expect(parsed.known).toBe(false);
    expect(parsed.raw).toBe(raw);
    expect(parsed.message).toEqual(JSON.parse(raw));
  });

  it("agrees with the published JSON Schemas on valid and invalid messages", () => {
    const matchesSchema = createMessageSchemaValidator();
    for (const raw of Object.values(VALID)) expect(matchesSchema(JSON.parse(raw) as { type: string })).toBe(true);
    for (const [raw] of INVALID) expect(matchesSchema(JSON.parse(raw) as { type: string })).toBe(false);
  });
});

describe("serializeMessage", () => {
  it("writes one line that parses back to the same message", () => {
    const message: Message = { type: "RECORD", stream: "s", record: { text: "line\nbreak — ünïcode 🎁", n: 1.5 } };
    const line = serializeMessage(message);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(parseMessageLine(line.slice(0, -1), 1).message).toEqual(message);
  });

  it("writes a BigInt as its digits, and names the stream when a record cannot be serialised", () => {
    expect(serializeMessage({ type: "RECORD", stream: "big", record: { n: 12345678901234567890n } })).toBe(
      '{"type":"RECORD","stream":"big","record":{"n":12345678901234567890}}\n',
    );
    const record: Record<string, unknown> = { n: 1 };
    record["self"] = record;
    const message: Message = { type: "RECORD", stream: "big", record };
    expect(() => serializeMessage(message)).toThrowError(expect.objectContaining({ code: ProtocolCodes.NOT_SERIALIZABLE, where: { stream: "big" } }) as Error);
  });
});

describe("message types in another case", () => {
  it.each(["record", "Record", "rEcOrD"])("reads %s as a RECORD, and hands on a line strict targets can read", (type) => {
    const parsed = parseMessageLine(`{"type":"${type}","stream":"users","record":{"id":1}}`, 4);
    expect(parsed.known).toBe(true);
    expect(parsed.message).toEqual({ type: "RECORD", stream: "users", record: { id: 1 } });
    expect(JSON.parse(parsed.raw)).toEqual({ type: "RECORD", stream: "users", record: { id: 1 } });
  });

  it("checks a lower-case message like its upper-case form", () => {
    expect(codeOf('{"type":"state"}')).toBe(ProtocolCodes.INVALID_MESSAGE);
    expect(parseMessageLine('{"type":"state","value":{"a":1}}', 1).message).toEqual({ type: "STATE", value: { a: 1 } });
  });

  it("keeps a type it does not know in any case as unknown, untouched", () => {
    const raw = '{"type":"x_custom","n":1}';
    expect(parseMessageLine(raw, 1)).toEqual({ known: false, message: { type: "x_custom", n: 1 }, line: 1, raw });
  });
});

describe("a SCHEMA that can hold no record", () => {
  it.each([
    ['{"type":"SCHEMA","stream":"s","schema":{"type":"string"},"key_properties":[]}', "describes string values"],
    ['{"type":"SCHEMA","stream":"s","schema":{"type":["null","array"]},"key_properties":[]}', "describes null or array values"],
    ['{"type":"SCHEMA","stream":"s","schema":false,"key_properties":[]}', "describes no value"],
  ])("is refused in one line naming the stream: %s", (line, what) => {
    expect(() => parseMessageLine(line, 4)).toThrowError(
      expect.objectContaining({
        code: ProtocolCodes.INVALID_SCHEMA,
        where: { stream: "s", line: 4 },
        message: expect.stringContaining(what) as string,
      }) as Error,
    );
  });

  it.each(['{"type":"object"}', '{"type":["null","object"]}', "{}", "true"])("is not what %s is", (schema) => {
    expect(parseMessageLine(`{"type":"SCHEMA","stream":"s","schema":${schema},"key_properties":[]}`, 1).known).toBe(true);
  });
});

describe("a SCHEMA nested past MAX_SCHEMA_DEPTH", () => {
  const nested = (levels: number): string => {
    let schema = '{"type":"object","properties":{}}';
    for (let level = 0; level < levels; level += 1) schema = `{"type":"object","properties":{"x":${schema}}}`;
    return `{"type":"SCHEMA","stream":"s","schema":${schema},"key_properties":[]}`;
  };

  it("is refused in one line naming the stream, whatever its depth (3,000 ran the runner out of stack)", () => {
    for (const levels of [600, 3000, 20_000]) {
      expect(() => parseMessageLine(nested(levels), 2), String(levels)).toThrowError(
        expect.objectContaining({
          code: ProtocolCodes.INVALID_SCHEMA,
          where: { stream: "s", line: 2 },
          message: "the SCHEMA of stream s is nested deeper than 1000 levels",
        }) as Error,
      );
    }
  });

  it("is not what a schema 400 properties deep is", () => {
    expect(parseMessageLine(nested(400), 1).known).toBe(true);
  });
});
