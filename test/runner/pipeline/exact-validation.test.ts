import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * The runner validates each record by the numbers its line wrote, not by the
 * doubles JSON.parse makes of them: 2.5e-400 is above an exclusive minimum of 0
 * (as a double it is 0), and 9007199254740993.5 is not an integer (as a double
 * it is 9007199254740994). The tap is a shell script writing the lines by hand.
 */
const TAP = `#!/usr/bin/env bash
echo '{"type":"SCHEMA","stream":"m","schema":{"type":"object","properties":{"id":{"type":"integer"},"tiny":{"type":"number","exclusiveMinimum":0},"count":{"type":"integer"}}},"key_properties":["id"]}'
echo '{"type":"RECORD","stream":"m","record":{"id":1,"tiny":2.5e-400,"count":3}}'
echo '{"type":"RECORD","stream":"m","record":{"id":2,"tiny":1,"count":9007199254740993.5}}'
echo '{"type":"RECORD","stream":"m","record":{"id":3,"tiny":-0,"count":4}}'
echo '{"type":"STATE","value":{"done":true}}'
`;

describe("the runner's validation of exact numbers", () => {
  it("passes a positive number a double makes 0 and refuses a fraction a double makes whole, each dead letter as the line wrote it", async () => {
    const dir = tempDir("agora-exact-validation-");
    writeFileSync(join(dir, "tap.sh"), TAP, { mode: 0o755 });
    pipelineProject(dir, { tap: { command: "bash", args: ["tap.sh"] }, targets: [{ command: "target-jsonl", config: { destination_path: "out" } }] }, "m");
    await runSucceeds(dir, "m");
    // Without middleware the line goes on as the tap wrote it.
    expect(
      readFileSync(join(dir, "out", "m.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).toEqual(['{"id":1,"tiny":2.5e-400,"count":3}']);
    const listed = await agora(dir, ["--json", "dlq", "list", "m"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    const letters = JSON.parse(listed.stdout) as Array<{ stage: string; errorMessage: string }>;
    expect(letters.map((letter) => letter.stage)).toEqual(["validate", "validate"]);
    expect(listed.stdout).toContain('"count":9007199254740993.5');
    expect(listed.stdout).toContain('"tiny":-0');
    expect(letters[0]?.errorMessage).toMatch(/count.*integer/);
    expect(letters[1]?.errorMessage).toMatch(/tiny/);
    // Each dead letter keeps the record's text as its line had it.
    const shown = await agora(dir, ["--json", "dlq", "show", "m", "1"]);
    expect((JSON.parse(shown.stdout) as { raw: string }).raw).toBe('{"id":2,"tiny":1,"count":9007199254740993.5}');
  });
});
