import { describe, expect, it } from "vitest";
import { ForwardedRecord, MessageParser, ProtocolError, recordStreamAtHead } from "../../../protocol/index.js";

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
