import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/processes.js";
import { agora, PY_TAP } from "../../helpers/project.js";
import { tableRows } from "../../helpers/files.js";
import { writeProject } from "../../helpers/pipeline-project.js";

/* Names resolve the same way everywhere: [connectors] names in --tap/--target, command lines in tap = "…", from any subfolder. */
describe("names", () => {
  it("--tap and --target take the project's [connectors] names, with their config, from a subfolder too", async () => {
    const dir = tempDir("agora-names-");
    writeProject(dir, {
      connectors: { sample: { command: "tap-sample", config: { users: 4, orders: 1 } }, warehouse: { command: "target-sqlite", config: { database: "w.db" } } },
      pipelines: { p: { tap: "sample", targets: ["warehouse"] } },
    });
    mkdirSync(join(dir, "sub"));
    const run = await agora(join(dir, "sub"), ["run", "--tap", "sample", "--target", "warehouse"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(tableRows(join(dir, "w.db"), "users").map((row) => row["id"])).toEqual([1, 2, 3, 4]);
    // The ad hoc pipeline's checkpoint went to the project's state store.
    expect((await agora(dir, ["state", "list"])).stdout).toMatch(/^adhoc-[0-9a-f]{8}\t/m);
  });

  it("takes a tap written as a command line in the pipeline for that command, named by its script", async () => {
    const dir = tempDir("agora-names-command-");
    writeFileSync(join(dir, "tap.json"), JSON.stringify({ count: 3, state_every: 3 }));
    writeFileSync(
      join(dir, "pipelines.toml"),
      `[pipelines.p]\ntap = "python3 ${PY_TAP} --config tap.json"\ntarget = { command = "target-sqlite", config = { database = "w.db" } }\n`,
    );
    const run = await agora(dir, ["run", "p"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(tableRows(join(dir, "w.db"), "items").map((row) => row["id"])).toEqual([1, 2, 3]);
    expect(run.stderr).not.toContain("which [connectors] does not define");
  });

  it("worker --list refuses a pipeline a run would refuse, naming it", async () => {
    const dir = tempDir("agora-names-worker-");
    writeProject(dir, { pipelines: { p: { tap: "nowhere", target: "target-jsonl", schedule: { every: "1h" } } } });
    const listed = await agora(dir, ["worker", "--list"]);
    expect(listed.exitCode).not.toBe(0);
    expect(listed.stderr).toContain('pipelines.p.tap names connector "nowhere", which [connectors] does not define');
  });
});
