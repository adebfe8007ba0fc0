import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora, projectIn, savedCheckpoint } from "../../helpers/project.js";
import { ROOT, tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-hostile-streams-");
const TAP = `bash ${join(ROOT, "test", "fixtures", "bash", "tap_hostile_streams.sh")}`;

describe("streams named like Object.prototype's members", () => {
  it("are counted, summarised, recorded and checkpointed like any other stream", async () => {
    const dir = pipelineProject(join(root, "names"), { tap: { command: TAP }, target: { command: "target-jsonl", config: { destination_path: "out" } } });
    const log = await runSucceeds(dir);
    expect(log).toContain("read 7");
    expect(log).toContain("wrote 6 (constructor 2, __proto__ 2, toString 2); 1 to the DLQ");
    const runs = JSON.parse((await agora(dir, ["--json", "runs", "list", "p"])).stdout) as Array<{ progress: unknown }>;
    expect(JSON.stringify(runs[0]?.progress)).toBe(
      JSON.stringify(
        JSON.parse(
          '{"constructor":{"read":2,"written":2,"deadLettered":0,"unconfirmed":0},"__proto__":{"read":3,"written":2,"deadLettered":1,"unconfirmed":0},"toString":{"read":2,"written":2,"deadLettered":0,"unconfirmed":0}}',
        ),
      ),
    );
    expect(JSON.stringify(savedCheckpoint(dir, "p"))).toBe('{"bookmarks":{"constructor":2,"__proto__":2,"toString":2}}');
    for (const stream of ["constructor", "__proto__", "toString"]) {
      expect(readFileSync(join(dir, "out", `${stream}.jsonl`), "utf8")).toBe('{"id":1}\n{"id":2}\n');
    }
  });
});

describe("record keys named like Object.prototype's members", () => {
  it("stay ordinary fields through every built-in middleware and the expression language, never a prototype", async () => {
    const tap = `bash ${join(ROOT, "test", "fixtures", "bash", "tap_proto_record.sh")}`;
    const dir = pipelineProject(join(root, "record-keys"), {
      tap: { command: tap },
      target: { command: "target-jsonl", config: { destination_path: "out" } },
      middleware: [
        { type: "drop", fields: ["drop_me"] },
        { type: "drop", fields: ["nothing"] },
        { type: "rename", fields: { toString: "to_string" } },
        { type: "filter", where: 'constructor == "x" and __proto__ != null' },
        { type: "add_fields", fields: { copy: { expression: "constructor" } } },
        { type: "mask", fields: ["constructor"] },
        { type: "select", fields: ["id", "__proto__", "constructor", "to_string", "copy"] },
      ],
    });
    await runSucceeds(dir);
    const line = readFileSync(join(dir, "out", "items.jsonl"), "utf8");
    expect(line).toBe('{"id":1,"__proto__":{"isAdmin":true},"constructor":"****","to_string":"t","copy":"x"}\n');
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record["isAdmin"]).toBeUndefined();
  });

  it("a connector config with a __proto__ key is a config error, not silently dropped", async () => {
    const dir = projectIn(join(root, "config-proto"), "");
    writeFileSync(join(dir, "t.json"), '{"destination_path": "out", "__proto__": {"destination_path": "elsewhere"}}');
    const result = await agora(dir, [
      "run",
      "--tap",
      `bash ${join(ROOT, "test", "fixtures", "bash", "tap_proto_record.sh")}`,
      "--target",
      "target-jsonl --config t.json",
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('the config has a key named "__proto__" (__proto__), which no setting has');
  });
});
