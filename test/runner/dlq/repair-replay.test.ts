import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * Repairing dead letters with middleware: a tap sends a 20-digit id as text where its SCHEMA says
 * integer; the record is dead-lettered at validation. A coerce step added afterwards, then a
 * replay, lands it with every digit: a replay runs the middleware before it validates.
 */
const TAP = `#!/usr/bin/env bash
echo '{"type":"SCHEMA","stream":"ids","schema":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}}},"key_properties":["id"]}'
echo '{"type":"RECORD","stream":"ids","record":{"id":1,"name":"plain"}}'
echo '{"type":"RECORD","stream":"ids","record":{"id":"12345678901234567890","name":"as text"}}'
echo '{"type":"STATE","value":{"done":true}}'
`;

/** Pipeline ids of the project in `dir`: the bash tap into target-jsonl, through these middleware steps. */
const pipeline = (dir: string, middleware: ReadonlyArray<Record<string, unknown>> = []): string =>
  pipelineProject(
    dir,
    { tap: { command: "bash", args: ["tap.sh"] }, targets: [{ command: "target-jsonl", config: { destination_path: "out" } }], middleware },
    "ids",
  );

describe("a dead letter repaired by middleware", () => {
  it("is replayed through the new step before validation and lands with every digit", async () => {
    const dir = tempDir("agora-repair-");
    writeFileSync(join(dir, "tap.sh"), TAP, { mode: 0o755 });
    pipeline(dir);
    const run = await runSucceeds(dir, "ids");
    expect(run).toContain("1 to the DLQ");

    // Without a fix the replay fails again, saying why.
    const again = await agora(dir, ["dlq", "replay", "ids"]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/dead letter 1: .*id/);

    pipeline(dir, [{ type: "coerce", fields: { id: "integer" } }]);
    const fixed = await agora(dir, ["dlq", "replay", "ids"]);
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain("1 succeeded and are done");
    expect(
      readFileSync(join(dir, "out", "ids.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).toEqual(['{"id":1,"name":"plain"}', '{"id":12345678901234567890,"name":"as text"}']);
  });
});
