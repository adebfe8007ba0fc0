import { describe, expect, it } from "vitest";
import { TextChunks } from "../../../protocol/index.js";

describe("TextChunks", () => {
  it("gives back exactly the text added, in order, as UTF-8", () => {
    const chunks = new TextChunks();
    // Past Latin-1, astral (a surrogate pair), a lone surrogate (encoded as U+FFFD, as Buffer.from does) and ASCII.
    const pieces = Array.from({ length: 200 }, (_, index) => `${index}:é𝄞☕${index % 50 === 0 ? "\ud800" : ""}\n`);
    for (const [index, piece] of pieces.entries()) {
      if (index % 2 === 0) chunks.add(piece);
      else chunks.addLine(piece.slice(0, -1));
    }
    const buffers = chunks.take();
    expect(Buffer.concat(buffers).equals(Buffer.from(pieces.join(""), "utf8"))).toBe(true);
    // Each chunk is whole characters: pieces are never cut.
    for (const buffer of buffers) expect(Buffer.from(buffer.toString("utf8"), "utf8").equals(buffer)).toBe(true);
    expect(chunks.take()).toEqual([]);
  });

  it("never overwrites the bytes of an earlier take with what is added after it", () => {
    const chunks = new TextChunks();
    chunks.add("first batch\n");
    const first = chunks.take();
    // Enough to fill the rest of the first slab and several more after it.
    const later = Array.from({ length: 20_000 }, (_, index) => `later line ${index} ${"x".repeat(index % 97)}\n`);
    for (const line of later) chunks.add(line);
    const second = chunks.take();
    expect(Buffer.concat(first).toString("utf8")).toBe("first batch\n");
    expect(Buffer.concat(second).toString("utf8")).toBe(later.join(""));
  });

  it("takes a string larger than a slab whole, between the strings around it", () => {
    const chunks = new TextChunks();
    const huge = "ü".repeat(400_000);
    chunks.add("before\n");
    chunks.add(huge);
    chunks.add("after\n");
    expect(Buffer.concat(chunks.take()).toString("utf8")).toBe(`before\n${huge}after\n`);
  });

  it("copies a line's bytes as they are, with a newline, between strings, a slab's worth or more included", () => {
    const chunks = new TextChunks();
    const source = Buffer.concat([Buffer.from("head "), Buffer.from([0xff, 0xc3, 0xa9, 0x00]), Buffer.from(" tail")]);
    const large = Buffer.alloc(300_000, 0x61);
    chunks.addLine("é first");
    chunks.addBytesLine(source.subarray(5, 9));
    chunks.addBytesLine(large);
    chunks.add("last");
    source.fill(0x20);
    const expected = Buffer.concat([Buffer.from("é first\n"), Buffer.from([0xff, 0xc3, 0xa9, 0x00, 0x0a]), large, Buffer.from("\nlast")]);
    expect(Buffer.concat(chunks.take()).equals(expected)).toBe(true);
  });
});
