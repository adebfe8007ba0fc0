import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * What a run's counts mean: written is what every target confirmed by a STATE, less what a target
 * rejected (that is in the DLQ, not written); what came after the last confirmed STATE is counted
 * apart. The tap is a shell script; target-sqlite refuses the id past 64 bits.
 */
const TAP = `#!/usr/bin/env bash
echo '{"type":"SCHEMA","stream":"items","schema":{"type":"object","properties":{"id":{"type":"integer"}}},"key_properties":["id"]}'
echo '{"type":"RECORD","stream":"items","record":{"id":1}}'
echo '{"type":"RECORD","stream":"items","record":{"id":12345678901234567890}}'
echo '{"type":"STATE","value":{"n":2}}'
echo '{"type":"RECORD","stream":"items","record":{"id":3}}'
echo '{"type":"STATE","value":{"n":3}}'
echo '{"type":"RECORD","stream":"items","record":{"id":4}}'
`;

describe("a run's counts", () => {
  it("count a rejected record as dead-lettered only, and records after the last STATE as unconfirmed", async () => {
    const dir = tempDir("agora-counts-");
    writeFileSync(join(dir, "tap.sh"), TAP, { mode: 0o755 });
    pipelineProject(dir, { tap: { command: "bash", args: ["tap.sh"] }, targets: [{ command: "target-sqlite", config: { database: "out.db" } }] }, "items");
    const log = await runSucceeds(dir, "items");
    expect(log).toMatch(/read 4 .*wrote 2 \(items 2\); 1 to the DLQ, 1 sent but not confirmed by a STATE;/);
    const runs = await agora(dir, ["--json", "runs", "list", "items"]);
    const [run] = JSON.parse(runs.stdout) as Array<{ progress: Record<string, unknown> }>;
    expect(run?.progress).toEqual({ items: { read: 4, written: 2, deadLettered: 1, unconfirmed: 1 } });
    expect((await agora(dir, ["runs", "list", "items"])).stdout).toContain("items 4→2");
  });
});
