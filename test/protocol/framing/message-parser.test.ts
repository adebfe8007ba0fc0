import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { MessageParser, ProtocolCodes, readMessageBatches, readMessages, type AgoraError } from "../../../protocol/index.js";

const SCHEMA = '{"type":"SCHEMA","stream":"s","schema":{},"key_properties":[]}';
const RECORD = '{"type":"RECORD","stream":"s","record":{"id":1}}';

function failure(text: string): AgoraError {
  const parser = new MessageParser({ origin: { connector: "tap-x" } });
  try {
    parser.push(Buffer.from(text));
    parser.end();
  } catch (error) {
    return error as AgoraError;
  }
  throw new Error("expected a failure");
}

describe("MessageParser", () => {
  it("numbers messages by line, counting blank lines", () => {
    const parser = new MessageParser();
    const lines = [...parser.push(Buffer.from(`${SCHEMA}\n\n${RECORD}\n`)), ...parser.end()];
    expect(lines.map((line) => [line.message.type, line.line])).toEqual([
      ["SCHEMA", 1],
      ["RECORD", 3],
    ]);
  });

  it("names the line, the connector and an excerpt of invalid JSON", () => {
    const error = failure(`${SCHEMA}\n${RECORD}\n{"type":"RECORD","stream":"s","record":{"id":2}\n`);
    expect(error.code).toBe(ProtocolCodes.INVALID_JSON);
    expect(error.where).toMatchObject({ line: 3, connector: "tap-x" });
    expect(error.toUserLine()).toMatch(/^tap-x, line 3: invalid JSON .*"\{\\"type\\":\\"RECORD\\"/);
  });

  it("hands on the good messages before a bad line in the same chunk, then fails", () => {
    const parser = new MessageParser();
    const good = parser.push(Buffer.from(`${SCHEMA}\n${RECORD}\n{"type":"STATE","value":1}\n{broken\n${RECORD}\n`));
    expect(good.map((line) => line.message.type)).toEqual(["SCHEMA", "RECORD", "STATE"]);
    expect(() => parser.throwIfFailed()).toThrowError(expect.objectContaining({ code: ProtocolCodes.INVALID_JSON, where: { line: 4 } }) as Error);
    expect(() => parser.push(Buffer.from(`${RECORD}\n`))).toThrowError(/invalid JSON/);
  });

  it("rejects a message without a type", () => {
    expect(failure('{"stream":"s"}\n').code).toBe(ProtocolCodes.MISSING_TYPE);
  });

  it("rejects a RECORD before its stream's SCHEMA, naming stream and line", () => {
    const error = failure(`${SCHEMA}\n{"type":"RECORD","stream":"other","record":{}}\n`);
    expect(error.code).toBe(ProtocolCodes.RECORD_BEFORE_SCHEMA);
    expect(error.where).toMatchObject({ stream: "other", line: 2 });
  });

  it("can allow records before schemas", () => {
    const parser = new MessageParser({ requireSchemaBeforeRecord: false });
    expect(parser.push(Buffer.from(`${RECORD}\n`))).toHaveLength(1);
  });

  it("passes unknown message types through with their raw line", () => {
    const parser = new MessageParser();
    const [line] = parser.push(Buffer.from('{"type":"X-CUSTOM","payload":{"k":[1]}}\n'));
    expect(line).toMatchObject({ known: false, raw: '{"type":"X-CUSTOM","payload":{"k":[1]}}', line: 1 });
  });
});

describe("readMessages", () => {
  it("reads a stream whose chunks cut messages anywhere", async () => {
    const text = `${SCHEMA}\r\n${RECORD}\n{"type":"STATE","value":{"é":"🎁"}}`;
    const bytes = Buffer.from(text);
    const chunks = [bytes.subarray(0, 5), bytes.subarray(5, 70), bytes.subarray(70, bytes.length - 3), bytes.subarray(bytes.length - 3)];
    const types: string[] = [];
    for await (const item of readMessages(Readable.from(chunks))) types.push(item.message.type);
    expect(types).toEqual(["SCHEMA", "RECORD", "STATE"]);
  });

  it("yields one batch per chunk", async () => {
    const chunks = [Buffer.from(`${SCHEMA}\n${RECORD}\n`), Buffer.from(`${RECORD}\n`)];
    const sizes: number[] = [];
    for await (const batch of readMessageBatches(Readable.from(chunks))) sizes.push(batch.length);
    expect(sizes).toEqual([2, 1]);
  });
});
