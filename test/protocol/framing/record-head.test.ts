import { describe, expect, it } from "vitest";
import { ForwardedRecord, MessageParser, ProtocolError, recordStreamAtHead } from "../../../protocol/index.js";
import { recordStreamAtHeadOfBytes } from "../../../protocol/framing/record-head.js";

/** recordStreamAtHeadOfBytes on `line`, set inside a buffer between other lines as it arrives. */
function atHeadOfBytes(line: string | Buffer, before = '{"type":"STATE"}\n', after = '\n{"x":"\\"}, "q"'): string | undefined {
  const bytes = Buffer.concat([Buffer.from(before), Buffer.from(line), Buffer.from(after)]);
  const start = Buffer.byteLength(before);
  return recordStreamAtHeadOfBytes(bytes, start, start + Buffer.from(line).length);
}

describe("recordStreamAtHead", () => {
  it("reads the stream of a RECORD from its head, however it is spaced or escaped", () => {
    expect(recordStreamAtHead('{"type":"RECORD","stream":"orders","record":{}}')).toBe("orders");
    expect(recordStreamAtHead('{"type": "RECORD", "stream": "orders", "record": {}}')).toBe("orders");
    expect(recordStreamAtHead('{ "type" :\t"RECORD" , "stream" : "a b" , "record" : {} }  ')).toBe("a b");
    expect(recordStreamAtHead('{"type":"RECORD","stream":"say \\"hi\\"","record":{}}')).toBe('say "hi"');
    expect(recordStreamAtHead('{"type":"RECORD","stream":"caf\\u00e9","record":{}}')).toBe("café");
    expect(recordStreamAtHead('{"type":"RECORD","stream":"__proto__","record":{}}')).toBe("__proto__");
  });

  it("takes nothing else: other types, another key order, a line cut off, a stream that is not a string", () => {
    for (const line of [
      '{"type":"STATE","value":{}}',
      '{"stream":"orders","type":"RECORD","record":{}}',
      '{"type":"RECORD","stream":"orders","record":{"id":1',
      '{"type":"RECORD","stream":"orders"}x',
      '{"type":"RECORD","stream":7,"record":{}}',
      '{"type":"RECORDS","stream":"orders","record":{}}',
      ' {"type":"RECORD","stream":"orders","record":{}}',
      '{"type":"RECORD","stream":"bad \\x escape","record":{}}',
    ])
      expect([line, recordStreamAtHead(line)]).toEqual([line, undefined]);
  });
});

describe("recordStreamAtHeadOfBytes", () => {
  it("reads the stream of a compact or json.dumps-spaced head from the line's bytes, within the line alone", () => {
    expect(atHeadOfBytes('{"type":"RECORD","stream":"orders","record":{}}')).toBe("orders");
    expect(atHeadOfBytes('{"type": "RECORD", "stream": "orders", "record": {}}')).toBe("orders");
    expect(atHeadOfBytes('{"type":"RECORD","stream":"café 𝄞","record":{}}')).toBe("café 𝄞");
    expect(atHeadOfBytes('{"type":"RECORD","stream":"__proto__","record":{}}  ')).toBe("__proto__");
    // Lines naming streams in turn each get their own name (the last name's string is reused only for the same bytes).
    for (const name of ["a", "b", "ab", "ba", "a", "a"]) expect(atHeadOfBytes(`{"type":"RECORD","stream":"${name}","record":{}}`)).toBe(name);
  });

  it("leaves every other head to the text reader: escapes, other spacing, a line cut off, a name closed only in the next line", () => {
    for (const line of [
      '{"type":"RECORD","stream":"say \\"hi\\"","record":{}}',
      '{"type":"RECORD","stream":"caf\\u00e9","record":{}}',
      '{ "type" : "RECORD" , "stream" : "a" , "record" : {} }',
      '{"type":"STATE","value":{}}',
      '{"type":"RECORD","stream":"orders","record":{"id":1',
      '{"type":"RECORD","stream":"orders"}',
      '{"type":"RECORD","stream":"orders}',
      '{"type":"RECORD","stream":7,"record":{}}',
      ' {"type":"RECORD","stream":"orders","record":{}}',
    ])
      expect([line, atHeadOfBytes(line)]).toEqual([line, undefined]);
    expect(recordStreamAtHeadOfBytes(Buffer.from('{"type":"RECORD","stream":"orders\n", "x": 1}'), 0, 28)).toBeUndefined();
  });
});

describe("a MessageParser that forwards", () => {
  const schema = '{"type":"SCHEMA","stream":"s","schema":{"type":"object"}}\n';

  it("hands a forwarded stream's RECORDs over unparsed, parsing one only when asked, as the reader would have", () => {
    const record = '{"type":"RECORD","stream":"s","record":{"n":1.5,"t":"x"},"time_extracted":"2026-01-01T00:00:00Z"}';
    const parser = new MessageParser({ forward: { forwards: (stream) => stream === "s" } });
    const lines = parser.push(Buffer.from(`${schema}${record}\n{"type":"RECORD","stream":"t","record":{}}\n`));
    const [, forwarded, parsed] = lines;
    expect(forwarded?.message).toBeInstanceOf(ForwardedRecord);
    expect(forwarded?.known === true && forwarded.forwarded).toBe(true);
    expect(forwarded?.raw).toBe(record);
    const plain = new MessageParser().push(Buffer.from(`${schema}${record}\n`))[1]?.message;
    expect((forwarded?.message as ForwardedRecord).parse()).toEqual(plain);
    // Stream t had no SCHEMA: parsed, and refused, as without forwarding.
    expect(parsed).toBeUndefined();
    expect(() => parser.throwIfFailed()).toThrow(/arrived before any SCHEMA/);
  });

  it("keeps a forwarded line's bytes as they came, never decoded: bytes no UTF-8 decoder would give back included", () => {
    const parser = new MessageParser({ forward: { forwards: () => true } });
    const line = Buffer.concat([Buffer.from('{"type":"RECORD","stream":"s","record":{"t":"caf'), Buffer.from([0xc3, 0xa9, 0xff, 0xfe]), Buffer.from('"}}')]);
    const escaped = Buffer.from('{"type":"RECORD","stream":"\\u0073","record":{"t":"x"}}');
    const lines = parser.push(Buffer.concat([Buffer.from(schema), line, Buffer.from("\r\n"), escaped, Buffer.from("\n")]));
    const [, first, second] = lines.map((item) => item.message as ForwardedRecord);
    expect(first?.bytes.equals(line)).toBe(true);
    expect(first?.raw).toBe(line.toString("utf8"));
    // A head read as text (its name escaped) is forwarded too, its bytes those of its text.
    expect([second?.stream, second?.bytes.equals(escaped)]).toEqual(["s", true]);
  });

  it("says a forwarded line that is not JSON is bad when it is parsed, naming who wrote it and the line", () => {
    const parser = new MessageParser({ origin: { connector: "tap-x" }, forward: { forwards: () => true } });
    const [, bad] = parser.push(Buffer.from(`${schema}{"type":"RECORD","stream":"s","record":{"n":}}\n`));
    let thrown: unknown;
    try {
      (bad?.message as ForwardedRecord).parse();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProtocolError);
    expect((thrown as ProtocolError).toUserLine()).toMatch(/^tap-x, line 2: invalid JSON/);
  });
});
