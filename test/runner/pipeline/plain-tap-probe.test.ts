import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

/*
 * A plain Singer tap (bash) that ignores unknown flags: asked `--about`, it syncs. Each start is
 * logged, as a tap with side effects (a queue it consumes) would feel it. Before, `agora explain`
 * ("without running it") started it twice, and a first run three times (two probes and the sync).
 */
describe("a plain tap that syncs when asked --about", () => {
  it("is never started by agora explain, and probed once ever: a first run starts it twice, the next once", async () => {
    const dir = tempDir("agora-plain-probe-");
    writeFileSync(
      join(dir, "tap.sh"),
      `echo "started with: $*" >> starts.log
echo '{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"id":{"type":"integer"}}},"key_properties":["id"]}'
echo '{"type":"RECORD","stream":"s","record":{"id":1}}'
`,
    );
    pipelineProject(dir, {
      tap: { command: "bash", args: ["tap.sh"] },
      target: { command: "target-jsonl", config: { destination_path: "out" } },
      resume: false,
    });
    const starts = (): string[] => (existsSync(join(dir, "starts.log")) ? readFileSync(join(dir, "starts.log"), "utf8").trim().split("\n") : []);

    const explained = await agora(dir, ["explain", "p"]);
    expect(explained.exitCode, explained.stderr).toBe(0);
    expect(starts()).toEqual([]);

    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(starts()).toEqual(["started with: --about --format json", "started with:"]);
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(starts()).toHaveLength(3);
    expect((await agora(dir, ["explain", "p"])).exitCode).toBe(0);
    expect(starts()).toHaveLength(3);
  });
});
