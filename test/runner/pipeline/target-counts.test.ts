import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject, writeProject } from "../../helpers/pipeline-project.js";

/*
 * Counts per target: with a fan-out, the summary, `runs list` and `--json` say what each target
 * wrote, rejected and left unconfirmed. Before, one "wrote" covered all targets. The tap is a
 * Python script; one record has an integer SQLite refuses (target-sqlite dead-letters it) and
 * target-jsonl keeps.
 */
const TAP = `import json
print(json.dumps({"type": "SCHEMA", "stream": "orders", "schema": {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": "integer"}}}, "key_properties": ["id"]}))
print(json.dumps({"type": "SCHEMA", "stream": "refunds", "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]}))
print('{"type": "RECORD", "stream": "orders", "record": {"id": 1, "n": 1}}')
print('{"type": "RECORD", "stream": "orders", "record": {"id": 2, "n": 123456789012345678901234}}')
print('{"type": "RECORD", "stream": "orders", "record": {"id": 3, "n": 3}}')
print('{"type": "RECORD", "stream": "refunds", "record": {"id": 9}}')
print('{"type": "STATE", "value": {"at": 4}}')
`;

interface Counted {
  targets: Array<{ target: string; sent: number; written: number; rejected: number; unconfirmed: number }>;
}

describe("counts per target", () => {
  it("say what each target of a fan-out wrote and rejected, routes included, in the summary, runs list and --json", async () => {
    const dir = tempDir("agora-target-counts-");
    writeFileSync(join(dir, "tap.py"), TAP);
    writeProject(dir, {
      connectors: {
        warehouse: { command: "target-sqlite", config: { database: "shop.db" } },
        archive: { command: "target-jsonl", config: { destination_path: "archive" } },
      },
      pipelines: { shop: { tap: { command: "python3", args: ["tap.py"] }, targets: [{ name: "warehouse" }, { name: "archive", streams: ["orders"] }] } },
    });
    const run = await agora(dir, ["--json", "run", "shop"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain("per target: warehouse wrote 3 (1 rejected), archive wrote 3");
    expect((JSON.parse(run.stdout) as Counted).targets).toEqual([
      { target: "warehouse", sent: 4, written: 3, rejected: 1, unconfirmed: 0 },
      { target: "archive", sent: 3, written: 3, rejected: 0, unconfirmed: 0 },
    ]);
    const listed = await agora(dir, ["runs", "list", "shop"]);
    expect(listed.stdout).toContain("warehouse wrote 3 (1 rejected), archive wrote 3");
    const json = await agora(dir, ["--json", "runs", "list", "shop"]);
    expect((JSON.parse(json.stdout) as Counted[])[0]?.targets).toEqual((JSON.parse(run.stdout) as Counted).targets);
  });

  it("say that a target which confirms nothing (a shell target that only reads) has everything unconfirmed, while the other wrote its records", async () => {
    const dir = tempDir("agora-target-counts-silent-");
    writeFileSync(join(dir, "tap.py"), TAP);
    pipelineProject(
      dir,
      {
        tap: { command: "python3", args: ["tap.py"] },
        targets: [
          { command: "target-jsonl", config: { destination_path: "out" } },
          { command: "sh", args: ["-c", "cat > /dev/null"] },
        ],
      },
      "shop",
    );
    const run = await agora(dir, ["--json", "run", "shop"]);
    expect((JSON.parse(run.stdout) as Counted).targets).toEqual([
      { target: "target-jsonl", sent: 4, written: 4, rejected: 0, unconfirmed: 0 },
      { target: "sh", sent: 4, written: 0, rejected: 0, unconfirmed: 4 },
    ]);
    expect(run.stderr).toContain("per target: target-jsonl wrote 4, sh wrote 0 (4 unconfirmed)");
  });
});
