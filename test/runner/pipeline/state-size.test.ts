import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AGORA, savedCheckpoint } from "../../helpers/project.js";
import { run, tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

/*
 * The runner keeps each STATE until every target confirms it. Three 60 MB STATEs (each under the
 * 64 MiB line limit) took it to 2.2 GB. Now a STATE past max_state_bytes (16 MiB by default) fails
 * the run in one line, before anything after it is sent; the checkpoint stays the last one
 * confirmed. The tap is a Python script.
 */
const TAP = `import json, sys
if "--about" in sys.argv:
    sys.exit("unrecognized arguments: --about")
print(json.dumps({"type": "SCHEMA", "stream": "s", "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]}))
print(json.dumps({"type": "RECORD", "stream": "s", "record": {"id": 1}}))
print(json.dumps({"type": "STATE", "value": {"at": 1}}))
for n in range(3):
    print(json.dumps({"type": "RECORD", "stream": "s", "record": {"id": n + 2}}))
    print(json.dumps({"type": "STATE", "value": {"at": n + 2, "cache": "x" * 60_000_000}}))
`;

describe("a STATE past max_state_bytes", () => {
  it("fails the run in one line, in bounded memory, with the checkpoint at the last STATE before it", async () => {
    const dir = tempDir("agora-state-size-");
    writeFileSync(join(dir, "tap.py"), TAP);
    pipelineProject(dir, { tap: { command: "python3", args: ["tap.py"] }, target: { command: "target-jsonl", config: { destination_path: "out" } } });
    const result = await run("/usr/bin/time", ["-f", "peak-rss-kib %M", process.execPath, AGORA, "run", "p"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/pipeline p, python3, line 5: a STATE of 600000\d\d bytes, past max_state_bytes \(16777216\)\. .*\[STATE_TOO_LARGE\]/);
    expect(savedCheckpoint(dir, "p")).toEqual({ at: 1 });
    const peak = Number(/peak-rss-kib (\d+)/.exec(result.stderr)?.[1]);
    expect(peak / 1024).toBeLessThan(700);
  });
});
