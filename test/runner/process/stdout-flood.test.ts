import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

/*
 * A target (Python) that writes a line over 64 MiB on stdout, where only STATE echoes belong.
 * Before, the runner died of an uncaught ProtocolError with a stack dump and no run recorded. Now
 * the target is stopped and the run fails in one line saying why, recorded like any other.
 */
describe("a target writing a stdout line past 64 MiB", () => {
  it("fails the run in one line naming it, with the run recorded", async () => {
    const dir = tempDir("agora-stdout-flood-");
    writeFileSync(join(dir, "target.py"), 'import sys\nsys.stdin.read()\nsys.stdout.write("x" * (65 * 1024 * 1024))\nsys.stdout.flush()\n');
    writeFileSync(
      join(dir, "messages.jsonl"),
      `${JSON.stringify({ type: "SCHEMA", stream: "s", schema: { type: "object", properties: { id: { type: "integer" } } }, key_properties: [] })}\n{"type":"RECORD","stream":"s","record":{"id":1}}\n`,
    );
    pipelineProject(dir, { tap: { command: "cat", args: ["messages.jsonl"] }, target: { command: "python3", args: ["target.py"] } });
    const run = await agora(dir, ["run", "p"]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      "pipeline p, python3: wrote a line longer than the limit of 67108864 bytes on its stdout. A target writes only STATE echoes and DEAD_LETTER messages on stdout, and logs to stderr. [TARGET_OUTPUT_INVALID]",
    );
    expect(run.stderr).not.toContain("wrote something other than a STATE echo");
    expect(run.stderr).not.toContain("    at ");
    expect(run.stderr).not.toContain("looks like a bug");
    const runs = JSON.parse((await agora(dir, ["--json", "runs", "list", "p"])).stdout) as Array<{ status: string; errorCode: string }>;
    expect(runs.map((entry) => [entry.status, entry.errorCode])).toEqual([["failed", "TARGET_OUTPUT_INVALID"]]);
  });
});
