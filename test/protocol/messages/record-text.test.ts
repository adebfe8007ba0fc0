import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMessageLine } from "../../../protocol/messages/parse.js";
import { recordText } from "../../../protocol/messages/record-text.js";
import type { RecordMessage } from "../../../protocol/messages/types.js";
import { ProtocolCodes, type AgoraError } from "../../../protocol/index.js";

/** The record's text as the SDK target loop gets it from a line. */
function textOf(raw: string): string {
  const parsed = parseMessageLine(raw, 1);
  if (!parsed.known || parsed.message.type !== "RECORD") throw new Error(`not a RECORD: ${raw}`);
  return recordText(parsed.raw, parsed.message);
}

describe("recordText", () => {
  it("cuts the record from the line as written, spaces and number spelling kept", () => {
    expect(textOf('{"type":"RECORD","stream":"s","record":{"id":1,"v":1.0}}')).toBe('{"id":1,"v":1.0}');
    // singer-python's json.dumps spacing.
    expect(textOf('{"type": "RECORD", "stream": "s", "record": {"id": 1, "name": "caf\\u00e9"}}  ')).toBe('{"id": 1, "name": "caf\\u00e9"}');
    expect(textOf('{"type":"RECORD","stream":"s","version":3,"time_extracted":"2024-01-01T00:00:00Z","record":{}}')).toBe("{}");
  });

  it("writes the record again wherever a cut could be wrong", () => {
    const cases: Array<[string, unknown]> = [
      // A duplicate key: JSON.parse keeps the last value, at the first key's place.
      ['{"type":"RECORD","stream":"s","record":{"id":1},"record":{"id":2}}', { id: 2 }],
      // record is not the last key.
      ['{"type":"RECORD","record":{"id":3},"stream":"s"}', { id: 3 }],
      // A key given twice after the record, with a plain value or an object.
      ['{"type":"RECORD","stream":"s","x":1,"record":{"id":4},"x":2}', { id: 4 }],
      ['{"type":"RECORD","stream":"s","x":1,"record":{"id":4},"x":{"y":"}"}}', { id: 4 }],
      // A key named record inside the record.
      ['{"type":"RECORD","stream":"s","record":{"record":{"id":4}}}', { record: { id: 4 } }],
      // A stream named record, and a key spelled with an escape.
      ['{"type":"RECORD","stream":"record","rec\\u006frd":{"id":5}}', { id: 5 }],
      ['{"type":"RECORD","stream":"a\\"record","rec\\u006frd":{"id":6}}', { id: 6 }],
    ];
    for (const [raw, record] of cases) {
      const text = textOf(raw);
      expect(JSON.parse(text), raw).toEqual(record);
      expect(text, raw).toBe(JSON.stringify(record));
    }
    const message: RecordMessage = { type: "RECORD", stream: "s", record: { id: 7 } };
    expect(recordText(undefined, message)).toBe('{"id":7}');
  });

  it("gives JSON of the parsed record for any line: random keys (record among them), order, spacing and values", () => {
    const key = fc.oneof(fc.constantFrom("record", "stream", "type", '"record"', "record\\", "__proto__"), fc.string({ maxLength: 6 }));
    // Values may hold objects with a key named record, so a nested one can come before the message's own.
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 2 }).map((inner) => ({ record: inner })),
    );
    const space = fc.constantFrom("", " ", "  ", "\t");
    const line = fc
      .tuple(fc.array(fc.tuple(key, value, space), { maxLength: 5 }), fc.dictionary(key, value, { maxKeys: 4 }), fc.nat(6), space)
      .map(([extra, record, at, gap]) => {
        const members = extra.map(([name, member, pad]) => `${JSON.stringify(name)}${pad}:${pad}${JSON.stringify(member)}`);
        members.splice(Math.min(at, members.length), 0, `"record"${gap}:${gap}${JSON.stringify(record)}`);
        return `{"type":"RECORD","stream":"s",${members.join(`,${gap}`)}}${gap}`;
      });
    fc.assert(
      fc.property(line, (raw) => {
        let parsed;
        try {
          parsed = parseMessageLine(raw, 1);
        } catch {
          return; // not a valid RECORD (a stream or record of another type): never reaches a writer
        }
        if (!parsed.known || parsed.message.type !== "RECORD") return;
        let text;
        try {
          text = recordText(parsed.raw, parsed.message);
        } catch (error) {
          // A key given twice with different values, where a number must be kept exactly: refused in one line.
          expect((error as AgoraError).code).toBe(ProtocolCodes.INVALID_JSON);
          expect((error as AgoraError).message).toMatch(/^Duplicate key/);
          return;
        }
        expect(JSON.parse(text)).toEqual(parsed.message.record);
      }),
      { numRuns: 5000 },
    );
  });
});
