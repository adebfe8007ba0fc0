import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

/*
 * Dead letters refer to one copy of the checkpoint of their moment: 500 bad records after a
 * 1 MB checkpoint made a 500 MB store when each held a copy. The tap is a Python script.
 */
const TAP = `import json
print(json.dumps({"type": "SCHEMA", "stream": "s", "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]}))
print(json.dumps({"type": "RECORD", "stream": "s", "record": {"id": 0}}))
print(json.dumps({"type": "STATE", "value": {"cursor": "x" * 1_000_000}}))
for i in range(500):
    print(json.dumps({"type": "RECORD", "stream": "s", "record": {"id": "bad-%d" % i}}))
`;

describe("dead letters and a large checkpoint", () => {
  it("keeps one copy of the checkpoint for all of them, and shows it with each", async () => {
    const dir = tempDir("agora-dlq-size-");
    writeFileSync(join(dir, "tap.py"), TAP);
    pipelineProject(dir, { tap: { command: "python3", args: ["tap.py"] }, targets: [{ command: "target-jsonl", config: { destination_path: "out" } }] }, "s");
    // The first run saves the large checkpoint; the second run's dead letters are made under it.
    for (const run of [1, 2]) {
      const result = await agora(dir, ["run", "s"]);
      expect(result.exitCode, `run ${run}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toContain("500 to the DLQ");
    }
    expect(statSync(join(dir, ".agora", "state.db")).size).toBeLessThan(5_000_000);
    const shown = await agora(dir, ["--json", "dlq", "show", "s", "1000"]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    const letter = JSON.parse(shown.stdout) as { original: unknown; checkpoint: { cursor: string } };
    expect(letter.original).toEqual({ id: "bad-499" });
    expect(letter.checkpoint.cursor).toHaveLength(1_000_000);
  });
});
