import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeJsonIn } from "../helpers/files.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../helpers/processes.js";

/*
 * A file rewritten under a bookmark (a daily export replaced by a shorter one) is read from the
 * start with a warning, or refused with on_file_change = "fail"; a file that only grew is read on
 * from the bookmark. Before, a shorter file resumed past its end: 0 records and success.
 */
const dir = tempDir("agora-file-changes-");

const TAPS = [
  {
    tap: "tap-csv",
    file: "export.csv",
    content: (ids: number[]) => `id,name\n${ids.map((id) => `${id},row ${id}`).join("\n")}\n`,
    more: (ids: number[]) => ids.map((id) => `${id},row ${id}\n`).join(""),
  },
  {
    tap: "tap-jsonl",
    file: "export.jsonl",
    content: (ids: number[]) => ids.map((id) => `${JSON.stringify({ id, name: `row ${id}` })}\n`).join(""),
    more: (ids: number[]) => ids.map((id) => `${JSON.stringify({ id, name: `row ${id}` })}\n`).join(""),
  },
];

async function sync(tap: string, config: string, state?: unknown): Promise<{ ids: unknown[]; state: unknown; stderr: string; exitCode: number | undefined }> {
  const args = ["--config", config, ...(state === undefined ? [] : ["--state", writeJsonIn(dir, `state-${Math.random()}.json`, state)])];
  const result = await runNode(connectorBin(tap), args);
  const messages = result.stdout === "" ? [] : (jsonLines(result.stdout) as Array<{ type: string; record?: { id: unknown }; value?: unknown }>);
  return {
    ids: messages.filter((message) => message.type === "RECORD").map((message) => message.record?.id),
    state: messages.filter((message) => message.type === "STATE").at(-1)?.value,
    stderr: result.stderr,
    exitCode: result.exitCode,
  };
}

describe.each(TAPS)("$tap and a file that changes under its bookmark", ({ tap, file, content, more }) => {
  it("reads a rewritten, shorter file from the start, saying so; a grown one from the bookmark", async () => {
    const path = join(dir, `${tap}-${file}`);
    writeFileSync(path, content([1, 2, 3, 4, 5]));
    const config = writeJsonIn(dir, `${tap}.json`, { files: [{ path, stream: "export", key_properties: ["id"] }] });
    const first = await sync(tap, config);
    expect(first.ids).toEqual([1, 2, 3, 4, 5]);

    // Grown: only the new rows.
    appendFileSync(path, more([6, 7]));
    const grown = await sync(tap, config, first.state);
    expect(grown.ids).toEqual([6, 7]);
    expect(grown.stderr).not.toContain("rewritten");

    // Rewritten, shorter: from the start, with a warning.
    writeFileSync(path, content([10, 11]));
    const rewritten = await sync(tap, config, grown.state);
    expect(rewritten.exitCode, rewritten.stderr).toBe(0);
    expect(rewritten.ids).toEqual([10, 11]);
    expect(rewritten.stderr).toMatch(
      /was rewritten since the bookmark \((row|line) \d+\) was saved \(it has \d+ bytes, \d+ when the bookmark was saved\): reading it from the start/,
    );

    // Rewritten with as many bytes or more, but other first bytes: from the start too.
    writeFileSync(path, content([90, 91, 92, 93, 94, 95, 96, 97]));
    const replaced = await sync(tap, config, rewritten.state);
    expect(replaced.ids).toEqual([90, 91, 92, 93, 94, 95, 96, 97]);
    expect(replaced.stderr).toMatch(/its first \d+ bytes are not the ones it had/);
  });

  it('refuses a rewritten file in one line under on_file_change = "fail"', async () => {
    const path = join(dir, `${tap}-strict-${file}`);
    writeFileSync(path, content([1, 2, 3]));
    const config = writeJsonIn(dir, `${tap}-strict.json`, { files: [{ path, stream: "export" }], on_file_change: "fail" });
    const first = await sync(tap, config);
    writeFileSync(path, content([4]));
    const refused = await sync(tap, config, first.state);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.ids).toEqual([]);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("[FILE_CHANGED]");
  });
});
