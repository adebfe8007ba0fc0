import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject, type PipelineSpec } from "../../helpers/pipeline-project.js";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * Globs in route streams and rename_stream match in linear time (as RegExps, `*a*a*a…*b` against a
 * 40-character stream name blocked the runner for minutes, SIGTERM waiting), and a glob that does
 * not parse is one line naming the setting, not "looks like a bug".
 */
const LONG = "a".repeat(40);
const HOSTILE = "*a*a*a*a*a*a*a*a*a*a*a*a*a*b";

function project(name: string, settings: Omit<PipelineSpec, "tap">): string {
  const dir = pipelineProject(tempDir(`agora-globs-${name}-`), { tap: { command: "cat", args: ["messages.jsonl"] }, ...settings });
  const messages = [
    { type: "SCHEMA", stream: LONG, schema: { type: "object", properties: { id: { type: "integer" } } }, key_properties: ["id"] },
    { type: "RECORD", stream: LONG, record: { id: 1 } },
    { type: "STATE", value: { done: true } },
  ];
  writeFileSync(join(dir, "messages.jsonl"), `${messages.map((message) => JSON.stringify(message)).join("\n")}\n`);
  return dir;
}

describe("globs a backtracking matcher would hang on", () => {
  it("in a route's streams and a rename_stream's from: the run finishes, the stream routed and named as the globs say", async () => {
    const dir = project("route", {
      middleware: [{ type: "rename_stream", from: HOSTILE, to: "never_{stream}" }],
      targets: [
        { command: "target-jsonl", config: { destination_path: "none" }, streams: [HOSTILE] },
        { command: "target-jsonl", config: { destination_path: "all" } },
      ],
    });
    await runSucceeds(dir);
    expect(existsSync(join(dir, "none", `${LONG}.jsonl`))).toBe(false);
    expect(readFileSync(join(dir, "all", `${LONG}.jsonl`), "utf8")).toBe('{"id":1}\n');
  });

  it("that does not parse, in a route or a rename: one line naming the setting", async () => {
    for (const settings of [
      { targets: [{ command: "target-jsonl", streams: ["[z-a]*"] }] },
      { target: { command: "target-jsonl" }, middleware: [{ type: "rename_stream", from: "[z-a]*", to: "x_{stream}" }] },
    ]) {
      const said = JSON.stringify(settings);
      const result = await agora(project("bad", settings), ["run", "p"]);
      expect(result.exitCode, said).not.toBe(0);
      expect(result.stderr, said).toContain('the glob "[z-a]*" has the range [z-a], which runs backwards');
      expect(result.stderr, said).not.toContain("looks like a bug");
      expect(
        result.stderr
          .trim()
          .split("\n")
          .filter((line) => line.includes("[z-a]")),
        said,
      ).toHaveLength(1);
    }
  });
});
