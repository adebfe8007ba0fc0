import { describe, expect, it } from "vitest";
import { LineSplitter, ProtocolCodes, type AgoraError } from "../../../protocol/index.js";

function split(chunks: Buffer[], options: ConstructorParameters<typeof LineSplitter>[1] = {}): Array<[string, number]> {
  const lines: Array<[string, number]> = [];
  const splitter = new LineSplitter((text, number) => lines.push([text, number]), options);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  const text = '{"a":"é"}\n{"b":"🎁 ünï"}\r\n\n   \n{"c":"日本"}';
  const bytes = Buffer.from(text, "utf8");
  const expected: Array<[string, number]> = [
    ['{"a":"é"}', 1],
    ['{"b":"🎁 ünï"}', 2],
    ['{"c":"日本"}', 5],
  ];

  it("splits lines, drops \\r, skips blank lines but counts them, and keeps a final line without \\n", () => {
    expect(split([bytes])).toEqual(expected);
  });

  it("gives the same lines wherever the input is cut, inside multi-byte characters too", () => {
    for (let cut = 0; cut <= bytes.length; cut += 1) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(expected);
    }
  });

  it("gives the same lines when fed one byte at a time", () => {
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(split(chunks)).toEqual(expected);
  });

  it("can hand on blank lines when asked", () => {
    expect(split([Buffer.from("a\n\nb\n")], { skipBlankLines: false })).toEqual([
      ["a", 1],
      ["", 2],
      ["b", 3],
    ]);
  });

  it("rejects a line over the limit with its line number, even before the line ends", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), { maxLineBytes: 10 });
    splitter.push(Buffer.from("short\n12345"));
    let thrown: unknown;
    try {
      splitter.push(Buffer.from("678901234")); // line 2 grows past 10 bytes without a newline
    } catch (error) {
      thrown = error;
    }
    expect(lines).toEqual(["short"]);
    expect((thrown as AgoraError).code).toBe(ProtocolCodes.LINE_TOO_LONG);
    expect((thrown as AgoraError).where.line).toBe(2);
  });

  it("accepts a line exactly at the limit", () => {
    expect(split([Buffer.from("1234567890\n")], { maxLineBytes: 10 })).toEqual([["1234567890", 1]]);
  });
});

describe("LineSplitter with cutLongLines", () => {
  it("cuts a line past the limit, drops the rest as it comes, says how much, and goes on with the next lines", () => {
    const lines: Array<[string, number]> = [];
    const splitter = new LineSplitter((line, number) => lines.push([line, number]), { maxLineBytes: 10, cutLongLines: true });
    for (const chunk of ["0123456", "789abcdef", "ghij\nshort\n", "xxxxxxxxxxxxxxxxxxxx", "yy"]) splitter.push(Buffer.from(chunk));
    splitter.end();
    expect(lines).toEqual([
      ["0123456789 … (10 more bytes of this line dropped)", 1],
      ["short", 2],
      ["xxxxxxxxxx … (12 more bytes of this line dropped)", 3],
    ]);
  });
});
