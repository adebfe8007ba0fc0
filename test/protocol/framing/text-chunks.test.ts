import { readFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendBuffers, TextChunks } from "../../../protocol/index.js";
import { tempDir } from "../../helpers/processes.js";

describe("TextChunks", () => {
  it("gives back exactly the text added, in order, as UTF-8 chunks of bounded size", () => {
    const chunks = new TextChunks(10);
    const pieces = Array.from({ length: 200 }, (_, index) => `${index}:é𝄞☕\n`);
    for (const piece of pieces) chunks.add(piece);
    const buffers = chunks.take();
    expect(buffers.length).toBeGreaterThan(50);
    expect(Buffer.concat(buffers).toString("utf8")).toBe(pieces.join(""));
    // Each chunk is whole characters: pieces are never cut.
    for (const buffer of buffers) expect(buffer.toString("utf8")).not.toContain("\ufffd");
    expect(chunks.take()).toEqual([]);
  });
});

describe("appendBuffers", () => {
  it("appends every buffer, in order, after what the file held", async () => {
    const path = join(tempDir("agora-chunks-"), "out.txt");
    const handle = await open(path, "a");
    await handle.appendFile("first\n");
    const buffers = Array.from({ length: 2000 }, (_, index) => Buffer.from(`line ${index}\n`));
    await appendBuffers(handle, [...buffers, Buffer.alloc(0)]);
    await handle.close();
    expect(readFileSync(path, "utf8")).toBe(`first\n${buffers.map((buffer) => buffer.toString()).join("")}`);
  });
});
