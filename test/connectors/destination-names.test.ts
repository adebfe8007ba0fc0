import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject, type ConnectorSpec } from "../helpers/pipeline-project.js";
import { query } from "../helpers/files.js";
import { agora } from "../helpers/project.js";
import { ROOT, tempDir } from "../helpers/processes.js";
import { runSucceeds } from "../helpers/in-process-run.js";

const root = tempDir("agora-destinations-");
const TAP = join(ROOT, "test", "fixtures", "bash", "tap_clashing_streams.sh");

function project(dir: string, streams: [string, string], target: ConnectorSpec, middleware: ReadonlyArray<Record<string, unknown>> = []): string {
  return pipelineProject(dir, { tap: { command: `bash ${TAP}`, args: streams }, target, middleware });
}

describe("two streams, one destination", () => {
  it.each([
    ["target-sqlite", ["Upper", "upper"], { command: "target-sqlite", config: { database: "w.db" } }, 'the table "Upper"'],
    ["target-jsonl", ["a b", "a/b"], { command: "target-jsonl", config: { destination_path: "out" } }, "a_b.jsonl"],
    ["target-csv", ["a b", "a/b"], { command: "target-csv", config: { destination_path: "out" } }, "a_b.csv"],
  ] as const)("%s refuses the second stream, naming both", async (_name, streams, target, destination) => {
    const dir = project(join(root, _name), [...streams], target);
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`streams ${JSON.stringify(streams[0])} and ${JSON.stringify(streams[1])} would both be written to the`);
    expect(result.stderr).toContain(destination);
    expect(result.stderr).toContain("(DESTINATION_TAKEN)");
  });

  it("a rename_stream gives each its own destination, rows kept apart", async () => {
    const sqlite = project(join(root, "renamed-sqlite"), ["Upper", "upper"], { command: "target-sqlite", config: { database: "w.db" } }, [
      { type: "rename_stream", from: "Upper", to: "upper_2" },
    ]);
    await runSucceeds(sqlite);
    expect(query(join(sqlite, "w.db"), 'SELECT id FROM "upper"')).toEqual([{ id: 1 }]);
    expect(query(join(sqlite, "w.db"), 'SELECT id FROM "upper_2"')).toEqual([{ id: 1 }]);

    const jsonl = project(join(root, "renamed-jsonl"), ["a b", "a/b"], { command: "target-jsonl", config: { destination_path: "out" } }, [
      { type: "rename_stream", from: "a/b", to: "a_slash_b" },
    ]);
    await runSucceeds(jsonl);
    expect(readFileSync(join(jsonl, "out", "a_b.jsonl"), "utf8")).toBe('{"id":1}\n');
    expect(readFileSync(join(jsonl, "out", "a_slash_b.jsonl"), "utf8")).toBe('{"id":1}\n');
    expect(existsSync(join(jsonl, "out", "a_b.jsonl"))).toBe(true);
  });
});
