import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from "hyparquet";
import { parquetWriteFile } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { writeJsonIn } from "../../helpers/files.js";
import { input, recordLine, schemaLine, stateLine } from "../../helpers/messages.js";
import { sampleParquetTap } from "../../helpers/parquet.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { agora } from "../../helpers/project.js";
import { connectorBin, run, runNode, tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const target = connectorBin("target-parquet");
const dir = tempDir("agora-target-parquet-");
let runs = 0;

function destination(settings: Record<string, unknown> = {}): { config: string; out: string } {
  runs += 1;
  const out = join(dir, `out-${runs}`);
  return { out, config: writeJsonIn(dir, `t-${runs}.json`, { destination_path: out, ...settings }) };
}

/** A Parquet file's rows as JSON values (64-bit integers as numbers; a column named __proto__ an own property), and its row groups. */
async function readParquet(path: string): Promise<{ rows: Array<Record<string, unknown>>; rowGroups: number }> {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const names = metadata.schema.slice(1).map((element) => element.name);
  const arrays = await new Promise<unknown[][]>((resolve, reject) => {
    parquetRead({ file, metadata, rowFormat: "array", onComplete: (rows) => resolve(rows as unknown[][]) }).catch(reject);
  });
  const rows = arrays.map((values) => {
    const row: Record<string, unknown> = {};
    names.forEach((name, index) => {
      const value = values[index];
      Object.defineProperty(row, name, {
        value: typeof value === "bigint" ? Number(value) : value instanceof Date ? value.toISOString() : value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return row;
  });
  return { rows, rowGroups: metadata.row_groups.length };
}

/** Rows DuckDB reads, every value as its text. */
async function duckdbRows(sql: string): Promise<Array<Record<string, string | null>>> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

// Parsed, so "__proto__" is a property of the schema rather than its prototype.
const PROPS = JSON.parse(
  '{"id":{"type":"integer"},"name":{"type":["null","string"]},"score":{"type":"number"},"ok":{"type":"boolean"},"meta":{"type":["null","object"]},"__proto__":{"type":["null","string"]},"constructor":{"type":["null","string"]},"select":{"type":["null","integer"]}}',
) as Record<string, unknown>;

function hostileRecord(id: number): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id,
    name: id % 3 === 0 ? null : `näme ${id} 🎁`,
    score: id / 4,
    ok: id % 2 === 0,
    meta: id % 4 === 0 ? null : { a: [id, "x"], b: { c: true } },
    constructor: `c${id}`,
    select: id * 10,
  };
  Object.defineProperty(record, "__proto__", { value: `p${id}`, enumerable: true, writable: true, configurable: true });
  return record;
}

describe("target-parquet", () => {
  it("writes records as a row group per batch, every value back as sent (nested as Parquet's JSON type, names like __proto__ as data)", async () => {
    const { config, out } = destination({ batch_size_rows: 4 });
    const records = Array.from({ length: 10 }, (_, index) => hostileRecord(index + 1));
    const result = await runNode(target, ["--config", config], {
      input: input(schemaLine("things", PROPS, ["id"]), ...records.map((record) => recordLine("things", record)), stateLine(10)),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n").at(-1)).toBe("10");
    const { rows, rowGroups } = await readParquet(join(out, "things.parquet"));
    expect(rowGroups).toBe(3);
    // A reader parses the JSON columns itself: the nested values come back as they were sent.
    expect(rows).toEqual(records);
    expect(Object.hasOwn(rows[0] as object, "__proto__")).toBe(true);
  });

  it("takes stream names as data: one holding a NUL, __proto__ and constructor each get their own file", async () => {
    const { config, out } = destination();
    const streams = ["a\u0000b", "__proto__", "constructor"];
    const lines = streams.flatMap((stream, index) => [schemaLine(stream, { id: { type: "integer" } }, ["id"]), recordLine(stream, { id: index + 1 })]);
    const result = await runNode(target, ["--config", config], { input: input(...lines, stateLine(3)) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["__proto__.parquet", "a_b.parquet", "constructor.parquet"]);
    expect((await readParquet(join(out, "a_b.parquet"))).rows).toEqual([{ id: 1 }]);
    expect((await readParquet(join(out, "__proto__.parquet"))).rows).toEqual([{ id: 2 }]);
    expect((await readParquet(join(out, "constructor.parquet"))).rows).toEqual([{ id: 3 }]);
  });

  it("keeps at most max_open_files files open: a stream's file closed to make room is opened again and appended to, each batch a row group", async () => {
    const { config, out } = destination({ batch_size_rows: 20, max_open_files: 3 });
    const lines: string[] = [];
    for (let stream = 0; stream < 10; stream += 1) lines.push(schemaLine(`s${stream}`, { id: { type: "integer" } }, ["id"]));
    // Three batches of 20 records, each touching all ten streams.
    for (let id = 1; id <= 60; id += 1) lines.push(recordLine(`s${id % 10}`, { id }));
    lines.push(stateLine(60));
    const result = await runNode(target, ["--config", config], { input: input(...lines) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe("60");
    expect(readdirSync(out).sort()).toEqual(Array.from({ length: 10 }, (_, stream) => `s${stream}.parquet`).sort());
    for (let stream = 0; stream < 10; stream += 1) {
      const { rows, rowGroups } = await readParquet(join(out, `s${stream}.parquet`));
      expect(rowGroups).toBe(3);
      // The stream's ids in the order sent, across the three batches.
      expect(rows.map((row) => row["id"])).toEqual(Array.from({ length: 60 }, (_, index) => index + 1).filter((id) => id % 10 === stream));
    }
  });

  it("writes dates as DATE and date-times as TIMESTAMP in microseconds, UTC, read so by DuckDB; refuses what they cannot hold as one dead letter each", async () => {
    const { config, out } = destination();
    const schema = { id: { type: "integer" }, at: { type: ["null", "string"], format: "date-time" }, day: { type: ["null", "string"], format: "date" } };
    const sent = [
      { id: 1, at: "2024-05-06T07:08:09.123456Z", day: "2024-02-29" },
      // An offset is moved to UTC; a date-time without a zone is UTC.
      { id: 2, at: "2024-05-06T09:08:09.5+02:00", day: "0001-01-01" },
      { id: 3, at: "9999-12-31T23:59:59.999999", day: "9999-12-31" },
      { id: 4, at: "1969-12-31T23:59:59.999999Z", day: null },
      // Not held by a microsecond count: refused, never cut.
      { id: 5, at: "2024-05-06T07:08:09.1234567Z", day: null },
      { id: 6, at: "2016-12-31T23:59:60Z", day: null },
    ];
    const result = await runNode(target, ["--config", config], {
      input: input(schemaLine("events", schema, ["id"]), ...sent.map((record) => recordLine("events", record)), stateLine(1)),
      env: { AGORA_DEAD_LETTER: "1" },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const letters = result.stdout
      .split("\n")
      .filter((line) => line.includes("DEAD_LETTER"))
      .map((line) => JSON.parse(line) as { record: { id: number }; error: { message: string } });
    expect(letters.map((letter) => [letter.record.id, letter.error.message])).toEqual([
      [5, expect.stringMatching(/"at" holds timestamps in microseconds: "2024-05-06T07:08:09.1234567Z" has a fraction of a second finer than microseconds/)],
      [6, expect.stringMatching(/"at" .* is a leap second/)],
    ]);
    const rows = await duckdbRows(
      `SELECT id, typeof("at") AS at_type, strftime("at" AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') AS "at", typeof("day") AS day_type, "day"::VARCHAR AS "day" FROM read_parquet('${join(out, "events.parquet")}') ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: "1", at_type: "TIMESTAMP WITH TIME ZONE", at: "2024-05-06T07:08:09.123456Z", day_type: "DATE", day: "2024-02-29" },
      { id: "2", at_type: "TIMESTAMP WITH TIME ZONE", at: "2024-05-06T07:08:09.500000Z", day_type: "DATE", day: "0001-01-01" },
      { id: "3", at_type: "TIMESTAMP WITH TIME ZONE", at: "9999-12-31T23:59:59.999999Z", day_type: "DATE", day: "9999-12-31" },
      { id: "4", at_type: "TIMESTAMP WITH TIME ZONE", at: "1969-12-31T23:59:59.999999Z", day_type: "DATE", day: null },
    ]);
  });

  it("keeps a stream's file valid after every batch: a run that appends reads back old and new rows", async () => {
    const { config, out } = destination({ batch_size_rows: 2 });
    const first = await runNode(target, ["--config", config], {
      input: input(schemaLine("s", { id: { type: "integer" } }), ...[1, 2, 3].map((id) => recordLine("s", { id })), stateLine(1)),
    });
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await runNode(target, ["--config", config], {
      input: input(schemaLine("s", { id: { type: "integer" } }), ...[4, 5].map((id) => recordLine("s", { id })), stateLine(2)),
    });
    expect(second.exitCode, second.stderr).toBe(0);
    const { rows, rowGroups } = await readParquet(join(out, "s.parquet"));
    expect(rows.map((row) => row["id"])).toEqual([1, 2, 3, 4, 5]);
    expect(rowGroups).toBe(3);
  });

  it("cuts a batch whose write failed half-way back to the last complete footer, and goes on", async () => {
    const { config, out } = destination({ batch_size_rows: 2 });
    const lines = (ids: number[]): string =>
      input(schemaLine("s", { id: { type: "integer" } }), ...ids.map((id) => recordLine("s", { id })), stateLine(ids.at(-1)));
    expect((await runNode(target, ["--config", config], { input: lines([1, 2, 3]) })).exitCode).toBe(0);
    const path = join(out, "s.parquet");
    const complete = statSync(path).size;
    // What a kill mid-write leaves: column chunk bytes of a batch, and no footer after them.
    appendFileSync(path, Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(3000, 7)]));
    const result = await runNode(target, ["--config", config], { input: lines([4]) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`${path}: cut 3004 bytes of a batch whose write failed half-way`);
    expect((await readParquet(path)).rows.map((row) => row["id"])).toEqual([1, 2, 3, 4]);
    expect(statSync(path).size).toBeGreaterThan(complete);
  });

  it("refuses a tap's Parquet batch whose pages do not decode before appending any of it: the file keeps every confirmed row, readable", async () => {
    const { config, out } = destination();
    const good = join(dir, "good-batch.parquet");
    const bad = join(dir, "bad-batch.parquet");
    parquetWriteFile({
      filename: good,
      columnData: [
        { name: "id", data: new Int32Array([1, 2, 3]), type: "INT32", nullable: false },
        { name: "v", data: ["a", "b", "c"], type: "STRING" },
      ],
    });
    parquetWriteFile({
      filename: bad,
      columnData: [
        { name: "id", data: new Int32Array([4, 5, 6]), type: "INT32", nullable: false },
        { name: "v", data: ["d", "e", "f"], type: "STRING" },
      ],
    });
    // A valid footer over garbage pages: every byte between the leading magic and the footer overwritten.
    const bytes = readFileSync(bad);
    bytes.fill(0xab, 4, bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8));
    writeFileSync(bad, bytes);
    const batch = (path: string): string =>
      JSON.stringify({ type: "BATCH", stream: "t", encoding: { format: "parquet", compression: "none" }, manifest: [`file://${path}`] });
    const messages = input(
      schemaLine("t", { id: { type: "integer" }, v: { type: ["null", "string"] } }, ["id"]),
      batch(good),
      stateLine({ n: 1 }),
      batch(bad),
      stateLine({ n: 2 }),
    );
    const result = await runNode(target, ["--config", config], { input: messages });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout.trim()).toBe(JSON.stringify({ n: 1 }));
    expect(result.stderr).toContain("[BATCH_FILE_UNREADABLE]");
    expect(result.stderr).toContain(bad);
    expect(result.stderr).not.toContain("looks like a bug");
    expect(await duckdbRows(`SELECT id, v FROM read_parquet('${join(out, "t.parquet")}') ORDER BY id`)).toEqual([
      { id: "1", v: "a" },
      { id: "2", v: "b" },
      { id: "3", v: "c" },
    ]);
  });

  it("continues in a new file when the schema changes, and leaves a file that is not Parquet alone with one clear line", async () => {
    const { config, out } = destination();
    const result = await runNode(target, ["--config", config], {
      input: input(
        schemaLine("s", { id: { type: "integer" } }),
        recordLine("s", { id: 1 }),
        schemaLine("s", { id: { type: "integer" }, extra: { type: "string" } }),
        recordLine("s", { id: 2, extra: "x" }),
        stateLine(1),
      ),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["s-2.parquet", "s.parquet"]);
    expect((await readParquet(join(out, "s-2.parquet"))).rows).toEqual([{ id: 2, extra: "x" }]);

    const other = destination();
    mkdirSync(other.out, { recursive: true });
    const blocked = other.out;
    writeFileSync(join(blocked, "x.parquet"), "id\n1\n");
    const refused = await runNode(target, ["--config", other.config], {
      input: input(schemaLine("x", { id: { type: "integer" } }), recordLine("x", { id: 1 }), stateLine(1)),
    });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("the file exists and is not a Parquet file; it is left as it is");
    expect(refused.stderr).toContain("[FILE_NOT_PARQUET]");
    expect(readFileSync(join(blocked, "x.parquet"), "utf8")).toBe("id\n1\n");
    expect(refused.stdout).toBe("");
  });

  it("writes the Arrow batches of tap-parquet columnar under agora run, with Parquet's own types, and passes agora test target", async () => {
    const project = join(dir, "project");
    const source = join(dir, "source.parquet");
    const { tap, expected } = sampleParquetTap(source, { rows: 300, rowGroupSize: 100 }, "arrow", join(project, "batches"));
    writeProject(project, {
      connectors: { sales: tap, lake: { command: "target-parquet", config: { destination_path: "lake" } } },
      pipelines: { sales: { tap: "sales", targets: ["lake"] } },
    });
    const log = await runSucceeds(project, "sales");
    expect(log).toContain("batches: lake 3 native (300 rows)");
    const { rows, rowGroups } = await readParquet(join(project, "lake", "sales.parquet"));
    expect(rowGroups).toBe(3);
    expect(rows).toEqual(expected);
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(join(project, "lake", "sales.parquet")));
    expect(metadata.schema.find((element) => element.name === "at")?.logical_type?.type).toBe("TIMESTAMP");
    expect(existsSync(join(project, "batches")) ? readdirSync(join(project, "batches")) : []).toEqual([]);

    const { config, out } = destination();
    const conformance = await agora(dir, ["test", "target", `node ${target}`, "--config", config, "--read", `parquet:${out}`]);
    expect(conformance.stdout, conformance.stderr).toContain("6 passed, 0 failed");
  });
});

describe("target-parquet when a write fails half-way (a full disk, a size limit)", () => {
  it("cuts the file back to its last footer at once: it stays readable, with every row of every confirmed STATE", async () => {
    const { config, out } = destination({ batch_size_rows: 10 });
    // Incompressible values, so each row group takes about 10 KiB.
    const value = (id: number): string =>
      Array.from({ length: 1000 }, (_, index) => ((id * 7919 + index * 104729) % 65521).toString(36))
        .join("")
        .slice(0, 1000);
    const batch = (from: number): string[] => Array.from({ length: 10 }, (_, index) => recordLine("blobs", { id: from + index, v: value(from + index) }));
    const messages = input(
      schemaLine("blobs", { id: { type: "integer" }, v: { type: "string" } }, ["id"]),
      ...batch(1),
      stateLine({ n: 10 }),
      ...batch(11),
      stateLine({ n: 20 }),
      ...batch(21),
      stateLine({ n: 30 }),
    );
    writeFileSync(join(dir, "blobs.jsonl"), messages);
    // A file size limit of 24 KiB (EFBIG past it, as ENOSPC would be): the first two batches fit, the third does not.
    const result = await run("bash", ["-c", `ulimit -f 24; exec "${process.execPath}" "${target}" --config "${config}" < "${join(dir, "blobs.jsonl")}"`]);
    expect(result.exitCode).not.toBe(0);
    const confirmed = result.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { n: number }).n);
    expect(confirmed.at(-1)).toBeLessThan(30);
    const ids = (await duckdbRows(`SELECT id FROM read_parquet('${join(out, "blobs.parquet")}') ORDER BY id`)).map((row) => Number(row["id"]));
    expect(ids).toEqual(Array.from({ length: confirmed.at(-1) ?? 0 }, (_, index) => index + 1));
  });
});
