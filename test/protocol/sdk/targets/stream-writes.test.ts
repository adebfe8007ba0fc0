import { readFileSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OpenFiles, writeStreamsAtOnce } from "../../../../protocol/index.js";
import { tempDir } from "../../../helpers/processes.js";

/** OpenFiles over real files in `dir`, recording each open (and whether it was a reopen) and how many ran at once. */
function filesIn(dir: string, limit: number) {
  const opens: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const files = new OpenFiles<FileHandle>(
    limit,
    async (key, reopen) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      try {
        opens.push(`${reopen ? "reopen" : "open"} ${key}`);
        return await open(join(dir, key), "a");
      } finally {
        running -= 1;
      }
    },
    (handle) => handle.close(),
  );
  return { files, opens, mostAtOnce: () => mostAtOnce };
}

describe("OpenFiles", () => {
  it("opens files one at a time, however many are asked for at once", async () => {
    const { files, opens, mostAtOnce } = filesIn(tempDir("agora-open-files-"), 100);
    const used = await Promise.all(Array.from({ length: 40 }, (_, index) => files.use(`s${index}`)));
    for (const file of used) file.release();
    expect(mostAtOnce()).toBe(1);
    expect(opens).toHaveLength(40);
    await files.closeAll();
  });

  it("keeps at most `limit` open, closing the least recently used idle one, and reopens it to append", async () => {
    const dir = tempDir("agora-open-files-");
    const { files, opens } = filesIn(dir, 2);
    const write = async (key: string, text: string) => {
      const file = await files.use(key);
      await file.handle.appendFile(text);
      file.release();
    };
    await write("a", "a1\n");
    await write("b", "b1\n");
    await write("a", "a2\n");
    await write("c", "c1\n");
    expect(files.size).toBe(2);
    expect(files.peek("b")).toBeUndefined();
    await write("b", "b2\n");
    expect(opens).toEqual(["open a", "open b", "open c", "reopen b"]);
    await files.closeAll();
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("a1\na2\n");
    expect(readFileSync(join(dir, "b"), "utf8")).toBe("b1\nb2\n");
  });
});

describe("OpenFiles.prepare", () => {
  it("opens a file ahead of its use once: the use takes the same handle", async () => {
    const { files, opens } = filesIn(tempDir("agora-open-files-"), 10);
    files.prepare("a");
    files.prepare("a");
    const first = await files.use("a");
    const again = await files.use("a");
    expect(again.handle).toBe(first.handle);
    first.release();
    again.release();
    expect(opens).toEqual(["open a"]);
    await files.closeAll();
  });

  it("closes no other file to open ahead", async () => {
    const { files, opens } = filesIn(tempDir("agora-open-files-"), 1);
    (await files.use("a")).release();
    files.prepare("b");
    await files.closeAll();
    expect(opens).toEqual(["open a"]);
  });

  it("lets an open under way finish before a drop closes it: no handle is left open for a dropped key", async () => {
    const { files, opens } = filesIn(tempDir("agora-open-files-"), 10);
    files.prepare("c");
    await files.drop("c");
    expect(files.peek("c")).toBeUndefined();
    expect(files.size).toBe(0);
    const again = await files.use("c");
    again.release();
    // A dropped file opens as new, not as a reopen.
    expect(opens).toEqual(["open c", "open c"]);
    await files.closeAll();
  });

  it("leaves a failed open for the use to meet and report", async () => {
    let attempts = 0;
    const files = new OpenFiles<FileHandle>(
      10,
      async (key) => {
        attempts += 1;
        return await open(join(tempDir("agora-open-files-"), "missing-dir", key), "a");
      },
      (handle) => handle.close(),
    );
    files.prepare("a");
    await expect(files.use("a")).rejects.toThrow(/ENOENT/);
    expect(attempts).toBeGreaterThanOrEqual(1);
    await expect(files.use("a")).rejects.toThrow(/ENOENT/);
    await files.closeAll();
  });
});

describe("writeStreamsAtOnce", () => {
  const entry = (stream: string, text: string) => ({ stream: { name: stream }, text });

  it("writes each stream's entries in their order, streams at once up to the limit, and throws the first failure after every write ended", async () => {
    const written = new Map<string, string[]>();
    let running = 0;
    let mostAtOnce = 0;
    const batch = ["a", "b", "a", "c", "b", "a", "d"].map((stream, index) => entry(stream, `${stream}${index}`));
    await writeStreamsAtOnce(batch, 2, async (stream, entries) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setImmediate(resolve));
      written.set(
        stream,
        entries.map((item) => item.text),
      );
      running -= 1;
    });
    expect(Object.fromEntries(written)).toEqual({ a: ["a0", "a2", "a5"], b: ["b1", "b4"], c: ["c3"], d: ["d6"] });
    expect(mostAtOnce).toBe(2);

    const finished: string[] = [];
    const failing = writeStreamsAtOnce(
      ["x", "y", "z"].map((stream) => entry(stream, stream)),
      3,
      async (stream) => {
        await new Promise((resolve) => setImmediate(resolve));
        if (stream === "x") throw new Error("disk full on x");
        finished.push(stream);
      },
    );
    await expect(failing).rejects.toThrow("disk full on x");
    expect(finished.sort()).toEqual(["y", "z"]);
  });
});
