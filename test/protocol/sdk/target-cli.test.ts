import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { connectorBin, exited, jsonLines, runNode, spawnNode, tempDir } from "../../helpers/processes.js";

const target = connectorBin("target-jsonl");
const dir = tempDir();
let configs = 0;

/** A target config writing into a fresh directory. */
function config(settings: Record<string, unknown> = {}): { file: string; out: string } {
  configs += 1;
  const out = join(dir, `out-${configs}`);
  const file = join(dir, `target-${configs}.json`);
  writeFileSync(file, JSON.stringify({ destination_path: out, ...settings }));
  return { file, out };
}

const schema = (stream = "items"): string =>
  JSON.stringify({
    type: "SCHEMA",
    stream,
    schema: { type: "object", properties: { id: { type: "integer" }, name: { type: ["null", "string"] } }, required: ["id"] },
    key_properties: ["id"],
  });
const record = (id: number, stream = "items"): string => JSON.stringify({ type: "RECORD", stream, record: { id, name: `item ${id}` } });
const state = (value: unknown): string => JSON.stringify({ type: "STATE", value });

function linesOf(path: string): string[] {
  return existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : [];
}

describe("target modes", () => {
  it("has no --discover", async () => {
    const result = await runNode(target, ["--discover"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--discover'");
  });

  it("--test_connection says where it writes", async () => {
    const { file, out } = config();
    const result = await runNode(target, ["--config", file, "--test_connection"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`connection ok: ${out} is writable`);
  });

  it("--test_connection fails with the path when it cannot write", async () => {
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "");
    const { file } = config({ destination_path: join(blocker, "sub") });
    const result = await runNode(target, ["--config", file, "--test_connection"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim()).toMatch(/^target-jsonl error: target-jsonl, .*a-file\/sub: cannot write to the destination directory \(ENOTDIR\)/);
  });
});

describe("STATE confirmation", () => {
  it("confirms each STATE only once the records before it are on disk, in order, echoing the values sent", async () => {
    const { file, out } = config({ batch_size_rows: 7 });
    const child = spawnNode(target, ["--config", file]);
    const observed: Array<{ value: { upTo: number }; linesOnDisk: number }> = [];
    let buffered = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        // The bare state value, as Singer targets echo it.
        const value = JSON.parse(line) as { upTo: number };
        // Read the file at the moment the STATE is seen: the records it covers must already be there.
        observed.push({ value, linesOnDisk: linesOf(join(out, "items.jsonl")).length });
      }
    });
    const input = [schema()];
    for (let id = 1; id <= 60; id += 1) {
      input.push(record(id));
      if (id % 5 === 0) input.push(state({ upTo: id }));
    }
    child.stdin.end(`${input.join("\n")}\n`);
    expect((await exited(child)).code).toBe(0);
    expect(observed.length).toBeGreaterThan(0);
    const values = observed.map((item) => item.value.upTo);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(60);
    for (const value of values) expect(value % 5).toBe(0);
    for (const item of observed) expect(item.linesOnDisk).toBeGreaterThanOrEqual(item.value.upTo);
    expect(linesOf(join(out, "items.jsonl"))).toHaveLength(60);
  });

  it("confirms a STATE within batch_wait_limit_seconds while input is still open", async () => {
    const { file, out } = config({ batch_size_rows: 100000, batch_wait_limit_seconds: 0.2 });
    const child = spawnNode(target, ["--config", file]);
    child.stdin.write(`${[schema(), record(1), record(2), state({ upTo: 2 })].join("\n")}\n`);
    const confirmed = await new Promise<string>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error("no STATE within 5 s")), 5000);
      child.stdout.once("data", (chunk: Buffer) => {
        clearTimeout(timeout);
        resolve(chunk.toString());
      });
    });
    expect(JSON.parse(confirmed)).toEqual({ upTo: 2 });
    expect(linesOf(join(out, "items.jsonl"))).toHaveLength(2);
    child.stdin.end();
    expect((await exited(child)).code).toBe(0);
  });

  it("confirms a STATE that follows no records at once", async () => {
    const { file } = config();
    const result = await runNode(target, ["--config", file], { input: `${state({ first: true })}\n${schema()}\n${record(1)}\n${state({ second: true })}\n` });
    expect(jsonLines(result.stdout)).toEqual([{ first: true }, { second: true }]);
  });
});

describe("bad input", () => {
  it("fails on malformed JSON naming the line, without confirming the STATE after it", async () => {
    const { file } = config();
    const result = await runNode(target, ["--config", file], { input: `${schema()}\n${record(1)}\n{"type":"RECORD",\n${state({ upTo: 1 })}\n` });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toMatch(/^target-jsonl error: target-jsonl, line 3: invalid JSON \(.*\) in "\{\\"type\\":\\"RECORD\\","/);
  });

  it("fails on a RECORD before its SCHEMA", async () => {
    const { file } = config();
    const result = await runNode(target, ["--config", file], { input: `${record(1)}\n` });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('stream items, line 1: RECORD for stream "items" arrived before any SCHEMA for it');
  });

  it("fails on an invalid record naming stream, line and field; confirmed state before it stands", async () => {
    const { file, out } = config({ batch_size_rows: 2 });
    const bad = JSON.stringify({ type: "RECORD", stream: "items", record: { id: "three" } });
    const result = await runNode(target, ["--config", file], {
      input: `${schema()}\n${record(1)}\n${record(2)}\n${state({ upTo: 2 })}\n${bad}\n${state({ upTo: 3 })}\n`,
    });
    expect(result.exitCode).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([{ upTo: 2 }]);
    expect(result.stderr.trim()).toBe(
      'target-jsonl error: target-jsonl, stream items, line 5, field /id: record field /id expected integer, got string "three". Fix the value at the source, or the stream\'s schema if the value is right. [RECORD_INVALID]',
    );
    expect(linesOf(join(out, "items.jsonl"))).toHaveLength(2);
  });

  it("lets an invalid record through when validate_records is off", async () => {
    const { file, out } = config({ validate_records: false });
    const bad = JSON.stringify({ type: "RECORD", stream: "items", record: { id: "three" } });
    const result = await runNode(target, ["--config", file], { input: `${schema()}\n${bad}\n` });
    expect(result.exitCode).toBe(0);
    expect(linesOf(join(out, "items.jsonl"))).toEqual(['{"id":"three"}']);
  });

  it("ignores message types it does not know", async () => {
    const { file, out } = config();
    const result = await runNode(target, ["--config", file], { input: `${schema()}\n{"type":"X-METRIC","value":1}\n${record(1)}\n${state(1)}\n` });
    expect(result.exitCode).toBe(0);
    expect(linesOf(join(out, "items.jsonl"))).toHaveLength(1);
  });

  it("accepts \\r\\n, blank lines and a last line without a newline", async () => {
    const { file, out } = config();
    const result = await runNode(target, ["--config", file], { input: `${schema()}\r\n\r\n${record(1)}\r\n\n${record(2)}` });
    expect(result.exitCode).toBe(0);
    expect(linesOf(join(out, "items.jsonl"))).toHaveLength(2);
  });
});

describe("streams and schemas", () => {
  it("writes several streams and follows a schema change mid-stream", async () => {
    const { file, out } = config();
    const widened = JSON.stringify({
      type: "SCHEMA",
      stream: "items",
      schema: { type: "object", properties: { id: { type: "string" } } },
      key_properties: ["id"],
    });
    const input = [
      schema(),
      schema("other"),
      record(1),
      record(1, "other"),
      widened,
      JSON.stringify({ type: "RECORD", stream: "items", record: { id: "x-2" } }),
      state("done"),
    ];
    const result = await runNode(target, ["--config", file], { input: `${input.join("\n")}\n` });
    expect(result.exitCode).toBe(0);
    expect(linesOf(join(out, "items.jsonl"))).toEqual(['{"id":1,"name":"item 1"}', '{"id":"x-2"}']);
    expect(linesOf(join(out, "other.jsonl"))).toEqual(['{"id":1,"name":"item 1"}']);
  });

  it("writes each record's JSON as it came (a Python tap's spacing, 1.0), and the last value of a key given twice", async () => {
    const { file, out } = config();
    const python = '{"type": "RECORD", "stream": "items", "record": {"id": 1, "name": "caf\\u00e9", "score": 1.0}}';
    const twice = '{"type":"RECORD","stream":"items","record":{"id":2,"name":"first"},"record":{"id":3,"name":"second"}}';
    const result = await runNode(target, ["--config", file], { input: `${schema()}\n${python}\n${twice}\n${state(1)}\n` });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(linesOf(join(out, "items.jsonl"))).toEqual(['{"id": 1, "name": "caf\\u00e9", "score": 1.0}', '{"id":3,"name":"second"}']);
  });

  it("reads the records of a gzipped jsonl BATCH message", async () => {
    const { file, out } = config();
    const batchFile = join(dir, "batch-1.jsonl.gz");
    writeFileSync(batchFile, gzipSync(`${[1, 2, 3].map((id) => JSON.stringify({ id, name: `b${id}` })).join("\n")}\n`));
    const batch = JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "jsonl", compression: "gzip" }, manifest: [`file://${batchFile}`] });
    const result = await runNode(target, ["--config", file], { input: `${schema()}\n${batch}\n${state("after-batch")}\n` });
    expect(result.exitCode).toBe(0);
    expect(jsonLines(result.stdout)).toEqual(["after-batch"]);
    expect(linesOf(join(out, "items.jsonl"))).toHaveLength(3);
  });

  it("refuses a BATCH file outside its batch roots (symbolic links followed), and never quotes a batch file's content", async () => {
    const { file } = config();
    const outside = JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "jsonl" }, manifest: ["file:///etc/passwd"] });
    const refused = await runNode(target, ["--config", file], { input: `${schema()}\n${outside}\n` });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("the BATCH manifest names /etc/passwd, outside the folders batch files may come from");
    expect(refused.stderr).not.toContain("root:");
    // A link inside an allowed folder that points outside it is refused too.
    const link = join(dir, "innocent.jsonl");
    symlinkSync("/etc/passwd", link);
    const viaLink = JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "jsonl" }, manifest: [`file://${link}`] });
    const linked = await runNode(target, ["--config", file], { input: `${schema()}\n${viaLink}\n`, cwd: dir });
    expect(linked.exitCode).toBe(1);
    expect(linked.stderr).toContain("[BATCH_FILE_OUTSIDE_ROOTS]");
    expect(linked.stderr).not.toContain("root:");
    // Inside the roots, a bad line is reported by file and line, without its text.
    const secretLine = join(dir, "bad-batch.jsonl");
    writeFileSync(secretLine, "password=hunter2-not-json\n");
    const bad = JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "jsonl" }, manifest: [`file://${secretLine}`] });
    const failed = await runNode(target, ["--config", file], { input: `${schema()}\n${bad}\n`, cwd: dir });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(`${secretLine}, line 1: invalid JSON in batch file`);
    expect(failed.stderr).not.toContain("hunter2");
  });

  it("rejects a BATCH format it cannot read", async () => {
    const { file } = config();
    const batch = JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "avro" }, manifest: ["file:///x.avro"] });
    const result = await runNode(target, ["--config", file], { input: `${schema()}\n${batch}\n` });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('BATCH format "avro" is not supported (supported: jsonl, arrow, parquet)');
  });

  it("refuses a BATCH file that is not local, naming it", async () => {
    const { file } = config();
    const batch = JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "jsonl" }, manifest: ["s3://bucket/items.jsonl"] });
    const result = await runNode(target, ["--config", file], { input: `${schema()}\n${batch}\n` });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("line 2: the BATCH manifest names s3://bucket/items.jsonl, which is not a local file (a file: URI or a path)");
    expect(result.stderr).not.toContain("    at ");
  });
});
