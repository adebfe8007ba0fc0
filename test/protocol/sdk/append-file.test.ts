import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppendFile, DirectorySyncs, FatalError } from "../../../protocol/index.js";
import { tempDir } from "../../helpers/processes.js";

describe("AppendFile", () => {
  it("appends every buffer, in order, after what the file held", async () => {
    const path = join(tempDir("agora-append-"), "out.txt");
    writeFileSync(path, "first\n");
    const file = await AppendFile.open(path);
    const buffers = Array.from({ length: 2000 }, (_, index) => Buffer.from(`line ${index} é\n`));
    file.append([...buffers, Buffer.alloc(0)]);
    await file.sync();
    file.append([Buffer.from("last\n")]);
    file.close();
    expect(readFileSync(path, "utf8")).toBe(`first\n${buffers.map((buffer) => buffer.toString()).join("")}last\n`);
  });

  it("creates a file and its folders, and leaves one that exists to the caller", async () => {
    const path = join(tempDir("agora-append-"), "a", "b", "out.jsonl");
    const directories = new DirectorySyncs();
    const created = await AppendFile.create(path, directories);
    expect(created?.path).toBe(path);
    created?.append([Buffer.from("one\n")]);
    created?.close();
    await directories.syncAll();
    // Existing: nothing opened, nothing written; the caller repairs it, then opens it.
    expect(await AppendFile.create(path)).toBeUndefined();
    expect(readFileSync(path, "utf8")).toBe("one\n");
  });

  it("reopens a file to append after its end", async () => {
    const path = join(tempDir("agora-append-"), "out.csv");
    const first = await AppendFile.open(path);
    first.append([Buffer.from("a\n")]);
    first.close();
    const again = AppendFile.reopen(path);
    again.append([Buffer.from("b\n")]);
    await again.sync();
    again.close();
    expect(readFileSync(path, "utf8")).toBe("a\nb\n");
  });

  it("names the file and what to check when it cannot be opened", async () => {
    // A path through a regular file: no one, root included, can make it.
    const blocker = join(tempDir("agora-append-"), "not-a-folder");
    writeFileSync(blocker, "");
    const path = join(blocker, "out.jsonl");
    const error = await AppendFile.open(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).message).toBe("cannot open the file for writing (ENOTDIR)");
    expect((error as FatalError).where).toEqual({ file: path });
  });
});
