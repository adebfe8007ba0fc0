import { describe, expect, it } from "vitest";
import { recordsOf, statesOf, writeIn, writeJsonIn } from "../../helpers/files.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

/** What a bookmark says of its file (size and a digest of its first bytes), to notice the file rewritten. */
const FILE_IDENTITY = { size: expect.any(Number), head: expect.stringMatching(/^[0-9a-f]{32}$/), headBytes: expect.any(Number) };

const tap = connectorBin("tap-jsonl");
const dir = tempDir();

async function sync(config: Record<string, unknown>, extra: string[] = []) {
  const result = await runNode(tap, ["--config", writeJsonIn(dir, `c-${Math.random()}.json`, config), ...extra]);
  return { ...result, messages: result.stdout === "" || extra.includes("--discover") ? [] : jsonLines(result.stdout) };
}

const events = [
  { id: 1, kind: "click", at: "2024-01-01T00:00:00Z", meta: { x: 1, tags: ["a"] }, amount: 1.5 },
  { id: 2, kind: "view", at: "2024-01-01T00:00:01Z", meta: { x: 2, tags: [] }, amount: null },
  { id: 3, kind: "ünïcödé 🎁", at: "2024-01-01T00:00:02Z", meta: { x: 3, tags: ["b", "c"] }, amount: 2 },
];
const file = writeIn(dir, "events.jsonl", `${events.map((event) => JSON.stringify(event)).join("\r\n")}\n\n`);

describe("tap-jsonl", () => {
  it("discovers a nested schema from a sample", async () => {
    const result = await sync({ files: [{ path: file, key_properties: ["id"] }] }, ["--discover"]);
    const [stream] = (JSON.parse(result.stdout) as { streams: Array<{ schema: { properties: Record<string, unknown> } }> }).streams;
    expect(stream?.schema.properties).toMatchObject({
      id: { type: "integer" },
      at: { type: ["null", "string"], format: "date-time" },
      meta: { type: ["null", "object"], properties: { x: { type: ["null", "integer"] }, tags: { type: ["null", "array"], items: { type: "string" } } } },
      amount: { type: ["null", "number"] },
    });
  });

  it("emits every object as it is", async () => {
    const result = await sync({ files: [{ path: file, key_properties: ["id"] }] });
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages)).toEqual(events);
  });

  it("resumes after the first STATE with exactly the remaining lines", async () => {
    const lines = Array.from({ length: 57 }, (_, index) => JSON.stringify({ id: index + 1 }));
    const many = writeIn(dir, "many.jsonl", `${lines.join("\n")}\n`);
    const config = { files: [{ path: many }], state_every_records: 10 };
    const full = await sync(config);
    const [firstState] = statesOf(full.messages);
    expect(firstState).toEqual({ bookmarks: { many: { path: many, line: 10, file: FILE_IDENTITY } } });
    const resumed = await sync(config, ["--state", writeJsonIn(dir, "many-state.json", firstState)]);
    expect(recordsOf(resumed.messages)).toEqual(recordsOf(full.messages).slice(10));
  });

  it("applies the bad-line policy: fail names file and line, skip counts, dlq hands the line on", async () => {
    const bad = writeIn(dir, "bad.jsonl", '{"id":1}\n{"id":2,\n[3]\n{"id":4}\n');
    const failed = await sync({ files: [{ path: bad }] });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`stream bad, ${bad}, line 2: invalid JSON .* in "\\{\\\\"id\\\\":2,"\\. .*\\[JSONL_BAD_LINE\\]`));
    const skipped = await sync({ files: [{ path: bad }], on_bad_row: "skip" });
    expect(skipped.exitCode).toBe(0);
    expect(recordsOf(skipped.messages)).toEqual([{ id: 1 }, { id: 4 }]);
    expect(skipped.stderr).toContain("stream bad: skipped 2 bad row(s)");
    const dead = await sync({ files: [{ path: bad }], on_bad_row: "dlq" });
    const letters = dead.messages.filter((message) => message["type"] === "DEAD_LETTER");
    expect(letters.map((letter) => [letter["raw"], (letter["location"] as { line: number }).line])).toEqual([
      ['{"id":2,', 2],
      ["[3]", 3],
    ]);
    expect((letters[1]?.["error"] as { message: string }).message).toBe('expected a JSON object, got "[3]"');
  });

  it("skips a UTF-8 byte-order mark, and refuses a UTF-16 file in one line naming it", async () => {
    const marked = writeIn(dir, "bom.jsonl", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":1}\n{"id":2}\n')]));
    const result = await sync({ files: [{ path: marked }] });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(recordsOf(result.messages, "bom")).toEqual([{ id: 1 }, { id: 2 }]);
    const utf16 = writeIn(dir, "utf16.jsonl", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"id":1}\n', "utf16le")]));
    const refused = await sync({ files: [{ path: utf16 }] });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr.trim()).toBe(
      `tap-jsonl error: tap-jsonl, ${utf16}: the file starts with a UTF-16LE byte-order mark, but it is read as utf-8. Convert the file to utf-8. [BOM_CONTRADICTS_ENCODING]`,
    );
  });
});
