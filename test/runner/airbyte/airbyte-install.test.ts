import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, tempDir } from "../../helpers/processes.js";
import { agora } from "../../helpers/project.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { buildWheel } from "../../helpers/python-wheel.js";

/* An Airbyte source packaged as Python packages are (a console script `source-items`), installed with pip_url and run by name. */
describe("an Airbyte source installed with pip_url", () => {
  it("runs as source-items from its virtualenv, found to speak Airbyte by its name and its spec", async () => {
    const dir = tempDir("agora-airbyte-pip-");
    const source = readFileSync(join(ROOT, "examples", "airbyte", "source_items.py"), "utf8");
    const wheel = buildWheel(dir, {
      name: "airbyte-source-items",
      version: "1.0.0",
      files: { "source_items/__init__.py": "", "source_items/main.py": source },
      scripts: { "source-items": "source_items.main:main" },
    });
    writeProject(dir, {
      connectors: {
        items: { command: "source-items", pip_url: `--no-index ./${wheel}`, config: { api_key: "key-0f3a9c", users: 2, events: 3 } },
        warehouse: { command: "target-sqlite", config: { database: "w.db" } },
      },
      pipelines: { p: { tap: "items", targets: ["warehouse"], select: ["events.*"] } },
    });
    expect((await agora(dir, ["install"])).exitCode).toBe(0);
    const run = await agora(dir, ["run", "p"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain("wrote 3 (events 3)");
    expect(run.stderr).toContain("items says stream events is COMPLETE");
  });
});
