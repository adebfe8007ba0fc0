import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora, projectIn, savedCheckpoint } from "../../helpers/project.js";
import { ROOT, tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-hostile-streams-");
const TAP = `bash ${join(ROOT, "test", "fixtures", "bash", "tap_hostile_streams.sh")}`;

describe("streams named like Object.prototype's members", () => {
  it("are counted, summarised, recorded and checkpointed like any other stream", async () => {
    const dir = projectIn(
      join(root, "names"),
      `
[pipelines.p]
tap = { command = "${TAP}" }
target = { command = "target-jsonl", config = { destination_path = "out" } }
`,
    );
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain("read 7");
    expect(result.stderr).toContain("wrote 6 (constructor 2, __proto__ 2, toString 2); 1 to the DLQ");
    const runs = JSON.parse((await agora(dir, ["--json", "runs", "list", "p"])).stdout) as Array<{ progress: unknown }>;
    expect(JSON.stringify(runs[0]?.progress)).toBe(
      JSON.stringify(JSON.parse('{"constructor":{"read":2,"written":2,"deadLettered":0},"__proto__":{"read":3,"written":2,"deadLettered":1},"toString":{"read":2,"written":2,"deadLettered":0}}')),
    );
    expect(JSON.stringify(savedCheckpoint(dir, "p"))).toBe('{"bookmarks":{"constructor":2,"__proto__":2,"toString":2}}');
    for (const stream of ["constructor", "__proto__", "toString"]) {
      expect(readFileSync(join(dir, "out", `${stream}.jsonl`), "utf8")).toBe('{"id":1}\n{"id":2}\n');
    }
  });
});
