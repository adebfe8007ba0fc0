import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { agora } from "../../helpers/project.js";
import { ROOT, tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * A classic Singer tap (no --about) that reads its selection from --properties only, as
 * singer-io's tap-postgres does: handed --catalog, it syncs nothing and exits 0. The run says
 * why that may be, and catalog_flag = "properties" makes it sync.
 */
const TAP = join(ROOT, "test", "fixtures", "python", "tap_classic_properties.py");

/** The Python tap reading --properties into target-jsonl; `tap` adds settings to the tap, `pipeline` to the pipeline. */
function project(tap: Record<string, unknown> = {}, pipeline: Record<string, unknown> = {}, dir = tempDir("agora-catalog-flag-")): string {
  return pipelineProject(
    dir,
    {
      tap: { command: "python3", args: [TAP], ...tap },
      select: ["items.*"],
      targets: [{ command: "target-jsonl", config: { destination_path: "out" } }],
      ...pipeline,
    },
    "items",
  );
}

describe("a tap that reads its catalog from --properties only", () => {
  it("handed --catalog, reads nothing, and the run says which setting to use", async () => {
    const dir = project();
    const log = await runSucceeds(dir, "items");
    expect(log).toContain("read 0");
    expect(log).toMatch(
      /was handed a catalog \(--catalog\) selecting 1 stream\(s\) \(items\) and sent no SCHEMA or RECORD for any of them\. .*set catalog_flag = "properties" on the tap/,
    );
  });

  it('under on_catalog_ignored = "fail", the run fails in one line naming the setting to use', async () => {
    const dir = project({}, { on_catalog_ignored: "fail" }, tempDir("agora-catalog-ignored-"));
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /pipeline items: .* sent no SCHEMA or RECORD for any of them \(on_catalog_ignored = "fail"\)\. If it reads its catalog from another flag .*\[CATALOG_IGNORED\]/,
    );
    expect(result.stderr).toContain("pipeline items failed");
  });

  it('with catalog_flag = "properties", syncs the selected stream', async () => {
    const dir = project({ catalog_flag: "properties" });
    const log = await runSucceeds(dir, "items");
    expect(log).not.toContain("catalog_flag");
    expect(
      readFileSync(join(dir, "out", "items.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([
      { id: 1, name: "item 1" },
      { id: 2, name: "item 2" },
      { id: 3, name: "item 3" },
    ]);
  });
});
