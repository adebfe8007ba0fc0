import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SchemaInferrer } from "../../catalogs/index.js";
import { query } from "../helpers/files.js";
import { pipelineProject } from "../helpers/pipeline-project.js";
import { agora } from "../helpers/project.js";
import { tempDir } from "../helpers/processes.js";
import { runSucceeds } from "../helpers/in-process-run.js";

const root = tempDir("agora-deep-");

/** {"a":{"a":…{"a":1}…}} nested `depth` levels. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

describe("deep and wide structures", () => {
  it("schema inference describes 32 levels and no more, whatever the depth", () => {
    const inferrer = new SchemaInferrer({ mode: "json" });
    inferrer.observe({ id: 1, deep: nested(5000) });
    let schema = inferrer.toSchema() as { properties: Record<string, unknown> };
    let levels = 0;
    for (let at: unknown = schema.properties["deep"]; typeof at === "object" && at !== null && "properties" in at; levels += 1) {
      at = (at as { properties: Record<string, unknown> }).properties["a"];
    }
    expect(levels).toBe(32);
    schema = inferrer.toSchema() as { properties: Record<string, unknown> };
    expect(schema.properties["id"]).toEqual({ type: ["null", "integer"] });
  });

  it("a record nested 4,000 deep goes from tap-jsonl through the runner to target-jsonl unchanged; 6,000 deep is a clear error", async () => {
    const dir = pipelineProject(join(root, "deep-record"), {
      tap: { command: "tap-jsonl", config: { files: [{ path: "deep.jsonl", stream: "deep" }] } },
      target: { command: "target-jsonl", config: { destination_path: "out" } },
    });
    // Written as text: JSON.stringify itself gives up a few thousand levels down.
    const deep = (depth: number): string => `{"id":1,"deep":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
    writeFileSync(join(dir, "deep.jsonl"), `${deep(4000)}\n`);
    await runSucceeds(dir);
    expect(readFileSync(join(dir, "out", "deep.jsonl"), "utf8")).toBe(`${deep(4000)}\n`);

    writeFileSync(join(dir, "deep.jsonl"), `${deep(4000)}\n${deep(6000)}\n`);
    const tooDeep = await agora(dir, ["run", "p"]);
    expect(tooDeep.exitCode).toBe(1);
    expect(tooDeep.stderr).toContain("stream deep: record 1 of the stream is nested too deeply to write as JSON");
    expect(tooDeep.stderr).toContain('"line":2');
    expect(tooDeep.stderr).not.toContain("Maximum call stack");
  });

  it("a SCHEMA of 3,000 properties is validated by the runner and the target", async () => {
    const dir = pipelineProject(join(root, "wide"), {
      tap: { command: "cat", args: ["wide.jsonl"] },
      target: { command: "target-jsonl", config: { destination_path: "out" } },
    });
    const properties = Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`c${index}`, { type: ["null", "integer"] }]));
    const good = { c0: 1, c2999: 2 };
    const messages = [
      { type: "SCHEMA", stream: "wide", schema: { type: "object", properties }, key_properties: [] },
      { type: "RECORD", stream: "wide", record: good },
      { type: "RECORD", stream: "wide", record: { c1500: "not a number" } },
      { type: "STATE", value: { done: true } },
    ];
    writeFileSync(join(dir, "wide.jsonl"), `${messages.map((message) => JSON.stringify(message)).join("\n")}\n`);
    const log = await runSucceeds(dir);
    expect(log).toContain("1 to the DLQ");
    expect(readFileSync(join(dir, "out", "wide.jsonl"), "utf8")).toBe(`${JSON.stringify(good)}\n`);
    const listed = await agora(dir, ["--json", "dlq", "list", "p"]);
    expect(listed.exitCode, `agora dlq list: ${listed.stderr}`).toBe(0);
    const letters = JSON.parse(listed.stdout) as Array<{ errorMessage: string }>;
    expect(letters[0]?.errorMessage).toContain("record field /c1500 expected null or integer");
  });

  it("target-sqlite keeps the records of a stream whose schema has no properties, whole, as JSON", async () => {
    const dir = pipelineProject(join(root, "no-properties"), {
      tap: { command: "cat", args: ["free.jsonl"] },
      target: { command: "target-sqlite", config: { database: "w.db" } },
    });
    const records = [{ any: "thing", n: 1 }, { other: [1, 2] }];
    const messages = [
      { type: "SCHEMA", stream: "free", schema: { type: "object" }, key_properties: [] },
      ...records.map((record) => ({ type: "RECORD", stream: "free", record })),
      { type: "STATE", value: { done: true } },
    ];
    writeFileSync(join(dir, "free.jsonl"), `${messages.map((message) => JSON.stringify(message)).join("\n")}\n`);
    await runSucceeds(dir);
    expect(query(join(dir, "w.db"), "SELECT _sdc_record FROM free ORDER BY rowid").map((row) => JSON.parse(String(row["_sdc_record"])) as unknown)).toEqual(
      records,
    );
  });
});

describe("lines longer than the limit", () => {
  it("are named by file, stream and line, with the setting that raises the limit, in tap-jsonl and in the runner", async () => {
    const dir = pipelineProject(join(root, "long-lines"), {
      tap: { command: "tap-jsonl", config: { files: [{ path: "long.jsonl", stream: "long" }], max_line_bytes: 1024 } },
      target: { command: "target-jsonl", config: { destination_path: "out" } },
    });
    writeFileSync(join(dir, "long.jsonl"), `{"id":1}\n{"id":2,"text":"${"x".repeat(2000)}"}\n`);
    const tap = await agora(dir, ["run", "p"]);
    expect(tap.exitCode).toBe(1);
    // Sampling for the catalog meets it first: the file and line are named all the same.
    expect(tap.stderr).toContain(
      "tap-jsonl, long.jsonl, line 2: line is longer than the limit of 1024 bytes. Raise max_line_bytes in the config if such large records are expected",
    );

    const runner = pipelineProject(join(root, "long-messages"), {
      tap: { command: "cat", args: ["big.jsonl"] },
      target: { command: "target-jsonl", config: { destination_path: "out" } },
      max_line_bytes: 1024,
    });
    const schema = { type: "SCHEMA", stream: "s", schema: { type: "object" }, key_properties: [] };
    writeFileSync(
      join(runner, "big.jsonl"),
      `${JSON.stringify(schema)}\n${JSON.stringify({ type: "RECORD", stream: "s", record: { text: "y".repeat(2000) } })}\n`,
    );
    const failed = await agora(runner, ["run", "p"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("pipeline p, cat, line 2: line is longer than the limit of 1024 bytes. Raise max_line_bytes in pipelines.toml");
  });
});
