import { chmodSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ConnectorDefinition } from "../../../runner/definition.js";
import { askAbout } from "../../../runner/connector/about.js";
import { cachedAbout } from "../../../runner/connector/about-cache.js";
import { MemoryStateStore } from "../../../runner/index.js";
import { agora } from "../../helpers/project.js";
import { ROOT, tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

const root = tempDir("agora-about-cache-");

/** A bash tap that notes each --about it answers, and otherwise writes one record and a STATE. */
const TAP = `#!/usr/bin/env bash
for arg in "$@"; do
  if [ "$arg" = "--about" ]; then
    echo about >> "$(dirname "$0")/asked.log"
    echo '{"name":"tap-noted","version":"1.0.0","capabilities":["state"]}'
    exit 0
  fi
done
echo '{"type":"SCHEMA","stream":"s","schema":{"type":"object","properties":{"id":{"type":"integer"}}},"key_properties":["id"]}'
echo '{"type":"RECORD","stream":"s","record":{"id":1}}'
echo '{"type":"STATE","value":{"n":1}}'
`;

describe("the tap's --about", () => {
  it("is asked once per version of the tap's files: not again on the next run, again once the script changes", async () => {
    const dir = pipelineProject(join(root, "p"), { tap: { command: "./tap.sh" }, target: { command: "target-jsonl" } });
    const script = join(dir, "tap.sh");
    writeFileSync(script, TAP);
    chmodSync(script, 0o755);
    const asked = (): number =>
      readFileSync(join(dir, "asked.log"), "utf8")
        .split("\n")
        .filter((line) => line === "about").length;

    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(asked()).toBe(1);
    const second = await agora(dir, ["run", "p"]);
    expect(second.exitCode).toBe(0);
    // Still known to take --state: the cached answer is used, not forgotten.
    expect(second.stderr).toContain("resuming from the checkpoint");
    expect(asked()).toBe(1);

    const later = new Date(Date.now() + 5000);
    utimesSync(script, later, later);
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(asked()).toBe(2);
  });
});

describe("our own connectors' --about", () => {
  const ours = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> }).bin).filter(
    (name) => name !== "agora",
  );

  it.each(ours)("%s: the answer shipped beside it is what it says when asked, and the runner takes it without asking", async (name) => {
    const connector = { name, command: name, args: [], config: undefined, cwd: root, env: {} } as unknown as ConnectorDefinition;
    const shipped = await cachedAbout(connector, new MemoryStateStore());
    expect(shipped?.capabilities?.length).toBeGreaterThan(0);
    expect(shipped).toEqual(await askAbout(name, [], root, {}));
  });
});
