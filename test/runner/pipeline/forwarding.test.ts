import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/processes.js";
import { agora, projectIn } from "../../helpers/project.js";

const TARGET = join(import.meta.dirname, "..", "..", "fixtures", "python", "target_lines.py");

/**
 * RECORD lines exactly as a tap may write them: compact, spaced as Python
 * writes, spaced oddly, with escapes, numbers no double holds, keys that are
 * data, and a stream name with an escaped quote.
 */
const RECORDS = [
  '{"type":"RECORD","stream":"a","record":{"id":1,"v":12345678901234567890.123456789000}}',
  '{"type": "RECORD", "stream": "a", "record": {"id": 2, "v": 1e400, "t": "caf\\u00e9\\ttab"}}',
  '{ "type" : "RECORD" , "stream" : "a" , "record" : { "id" : 3 , "v" : -0.0 , "__proto__" : { "x" : 1 } } }   ',
  '{"type":"RECORD","stream":"a","record":{"id":4,"v":0.1},"time_extracted":"2026-01-01T00:00:00Z"}',
  '{"type":"RECORD","stream":"b\\"q","record":{"id":5,"v":9007199254740993}}',
  // Invalid: only a forwarded line reaches the target (the runner would have dead-lettered it), where validating is the target's part.
  '{"type":"RECORD","stream":"a","record":{"id":"not an integer"}}',
];
const SCHEMA = (stream: string) =>
  JSON.stringify({
    type: "SCHEMA",
    stream,
    schema: { type: "object", properties: { id: { type: "integer" }, v: { type: "number" } } },
    key_properties: ["id"],
  });

function tapScript(dir: string, records: readonly string[]): string {
  const lines = [SCHEMA("a"), SCHEMA('b"q'), ...records, '{"type": "STATE", "value": {"done": true}}'];
  writeFileSync(join(dir, "messages.jsonl"), `${lines.join("\n")}\n`);
  return `cat ${join(dir, "messages.jsonl")}`;
}

function project(dir: string, target: string, extra = ""): string {
  return projectIn(
    dir,
    `[connectors.tap]
command = "${tapScript(dir, RECORDS)}"
[connectors.lines]
command = "${target}"
config = { lines_file = "${join(dir, "received.jsonl")}" }
[pipelines.p]
tap = "tap"
targets = ["lines"]
on_error = "dlq"
${extra}`,
  );
}

const received = (dir: string): string[] =>
  readFileSync(join(dir, "received.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.includes("RECORD"));

describe("forwarding records without parsing them", () => {
  it("sends a validating target each RECORD line byte for byte as the tap wrote it, and explain says so", async () => {
    const dir = project(tempDir("agora-forward-"), `python3 ${TARGET} --validates`);
    const run = await agora(dir, ["--log-level", "debug", "run", "p", "--no-progress"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(received(dir)).toEqual(RECORDS);
    expect(run.stderr).toContain("stream a: records forwarded as the tap wrote it: lines validates each record and dead-letters an invalid one");
    const explained = await agora(dir, ["explain", "p"]);
    expect(explained.stdout).toContain("records: forwarded as the tap wrote them: lines validates each record and dead-letters an invalid one");
  });

  it("parses and validates here for a target that does not validate: an invalid record is the runner's dead letter, and never sent", async () => {
    const dir = project(tempDir("agora-forward-"), `python3 ${TARGET}`);
    writeFileSync(
      join(dir, "messages.jsonl"),
      `${[SCHEMA("a"), SCHEMA('b"q'), RECORDS[0], '{"type":"RECORD","stream":"a","record":{"id":"x"}}'].join("\n")}\n`,
    );
    const run = await agora(dir, ["run", "p", "--no-progress"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(received(dir)).toEqual([RECORDS[0]]);
    const letters = JSON.parse((await agora(dir, ["--json", "dlq", "list", "p"])).stdout) as Array<{ stage: string; errorCode: string }>;
    expect(letters.map((letter) => [letter.stage, letter.errorCode])).toEqual([["validate", "RECORD_INVALID"]]);
    expect((await agora(dir, ["explain", "p"])).stdout).toContain("records: parsed and validated here: lines does not say it validates records");
  });

  it("parses the records of a stream middleware works on, and forwards the others untouched", async () => {
    const dir = project(
      tempDir("agora-forward-"),
      `python3 ${TARGET} --validates`,
      `middleware = [{ type = "add_fields", fields = { seen = true }, streams = ["a"] }]\n`,
    );
    const run = await agora(dir, ["run", "p", "--no-progress"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = received(dir);
    // Stream a's records went through the middleware: written anew, with the field, numbers still exact.
    // The invalid one was validated here, and dead-lettered.
    expect(lines.filter((line) => !line.includes('"b\\"q"')).map((line) => JSON.parse(line).record.seen)).toEqual([true, true, true, true]);
    const letters = JSON.parse((await agora(dir, ["--json", "dlq", "list", "p"])).stdout) as Array<{ stage: string; original: unknown }>;
    expect(letters.map((letter) => [letter.stage, letter.original])).toEqual([["validate", { id: "not an integer" }]]);
    expect(lines[0]).toContain("12345678901234567890.123456789");
    // Stream b"q's record was forwarded byte for byte.
    expect(lines.filter((line) => line.includes('"b\\"q"'))).toEqual([RECORDS[4]]);
  });
});

/** A pipeline from `cat` of stream a's SCHEMA, `records` and a STATE into target-jsonl (an SDK target: it validates), with `setting` on the pipeline. */
function jsonlProject(prefix: string, records: readonly string[], setting: string): string {
  const dir = tempDir(prefix);
  writeFileSync(join(dir, "messages.jsonl"), `${[SCHEMA("a"), ...records, '{"type":"STATE","value":{"done":true}}'].join("\n")}\n`);
  return projectIn(
    dir,
    `[connectors.tap]
command = "cat ${join(dir, "messages.jsonl")}"
[connectors.out]
command = "target-jsonl"
config = { destination_path = "${join(dir, "out")}" }
[pipelines.p]
tap = "tap"
targets = ["out"]
${setting}
`,
  );
}

describe("an invalid record forwarded to an SDK target", () => {
  it("reaches the dead-letter queue through the target's DEAD_LETTER, as the runner's own validation would have kept it, and the counts say so", async () => {
    const dir = jsonlProject(
      "agora-forward-dlq-",
      [
        '{"type":"RECORD","stream":"a","record":{"id":1,"v":1.5}}',
        '{"type":"RECORD","stream":"a","record":{"id":2,"v":"not a number"}}',
        '{"type":"RECORD","stream":"a","record":{"id":3,"v":123456789012345678901234567890}}',
      ],
      'on_error = "dlq"',
    );
    const run = await agora(dir, ["run", "p", "--no-progress"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain("read 3");
    expect(run.stderr).toContain("wrote 2 (a 2); 1 to the DLQ");
    expect(run.stderr).toContain("rejected 1 as DEAD_LETTER");
    expect(readFileSync(join(dir, "out", "a.jsonl"), "utf8")).toBe('{"id":1,"v":1.5}\n{"id":3,"v":123456789012345678901234567890}\n');
    const letters = JSON.parse((await agora(dir, ["--json", "dlq", "list", "p"])).stdout) as Array<Record<string, unknown>>;
    // Stage validate, the record as it arrived (its text too), so an edit and a replay work as for the runner's own dead letters.
    expect(letters.map((letter) => [letter["stage"], letter["errorCode"], letter["original"], letter["raw"]])).toEqual([
      ["validate", "RECORD_INVALID", { id: 2, v: "not a number" }, '{"id":2,"v":"not a number"}'],
    ]);
    expect(String(letters[0]?.["errorMessage"])).toMatch(/^record field \/v expected number/);
  });
});

describe("max_records with forwarded records", () => {
  it("stops at the limit, counting forwarded records as it counts parsed ones", async () => {
    const records = Array.from({ length: 10 }, (_, index) => `{"type":"RECORD","stream":"a","record":{"id":${index + 1},"v":0.5}}`);
    const dir = jsonlProject("agora-forward-max-", records, "max_records = 3");
    const run = await agora(dir, ["--log-level", "debug", "run", "p", "--no-progress"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain("stream a: records forwarded as the tap wrote it");
    expect(run.stderr).toContain("read 3");
    expect(readFileSync(join(dir, "out", "a.jsonl"), "utf8")).toBe('{"id":1,"v":0.5}\n{"id":2,"v":0.5}\n{"id":3,"v":0.5}\n');
  });
});
