import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { Message } from "apache-arrow";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { encodeArrowBatch } from "../../../protocol/index.js";
import { writeProject, type ConnectorSpec } from "../../helpers/pipeline-project.js";
import { CLASSIC_TARGET_PY, agora, childPids, PY_TARGET, range, savedCheckpoint, startAgora, storedIds, waitFor } from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-batch-lane-");

function csvOf(rows: number): string {
  return `id,name\n${range(rows)
    .map((id) => `${id},name ${id}`)
    .join("\n")}\n`;
}

/**
 * Pipeline items: tap-csv writing batch files (jsonl unless said) of `perFile` rows into the
 * project's batches folder, into `targets` (connectors of the project, by name).
 */
function batchProject(
  name: string,
  rows: number,
  perFile: number,
  targets: Record<string, ConnectorSpec>,
  settings: Record<string, unknown> = {},
  format = "jsonl",
): string {
  const dir = join(root, name);
  const project = writeProject(dir, {
    connectors: {
      items: {
        command: "tap-csv",
        config: {
          files: [{ path: "items.csv", stream: "items", key_properties: ["id"] }],
          batch_config: { format, rows_per_file: perFile, root: join(dir, "batches") },
        },
      },
      ...targets,
    },
    pipelines: { items: { tap: "items", targets: Object.keys(targets), ...settings } },
  });
  writeFileSync(join(dir, "items.csv"), csvOf(rows));
  return project;
}

const jsonLinesOf = (path: string): unknown[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);

describe("the batch lane", () => {
  it.each(["jsonl", "arrow", "parquet"])(
    "sends a %s BATCH as it is to a target that reads it and as RECORDs to a plain Singer target (Python): identical rows, files removed once confirmed",
    async (format) => {
      const dir = batchProject(
        `mixed-${format}`,
        10,
        4,
        {
          native: { command: "target-jsonl", config: { destination_path: "out-native" } },
          classic: { command: `python3 ${CLASSIC_TARGET_PY}`, config: { destination: "out-classic", flush_every: 3 } },
        },
        {},
        format,
      );
      const log = await runSucceeds(dir, "items");
      const expected = range(10).map((id) => ({ id, name: `name ${id}` }));
      expect(jsonLinesOf(join(dir, "out-native", "items.jsonl"))).toEqual(expected);
      expect(jsonLinesOf(join(dir, "out-classic", "items.jsonl"))).toEqual(expected);
      // Three files of 4, 4 and 2 rows: as batches to target-jsonl, as records to the classic target.
      expect(log).toContain("wrote 10 (items 10)");
      expect(log).toContain("batches: native 3 native (10 rows), classic 3 as records (10 rows)");
      // Every STATE after them was confirmed by both targets: no batch file is left.
      expect(readdirSync(join(dir, "batches"))).toEqual([]);
    },
  );

  it("a target SIGKILLed mid-run: the files past the checkpoint stay, and the resumed run gives both targets every row once", async () => {
    const dir = batchProject("killed", 3000, 100, {
      native: { command: "target-sqlite", config: { database: "native.db" } },
      python: { command: `python3 ${PY_TARGET}`, config: { database: "python.db", batch_size: 50, slow_ms: 20 } },
    });
    const position = (): number => (savedCheckpoint(dir, "items") as { bookmarks: { items: { row: number } } } | undefined)?.bookmarks.items.row ?? 0;
    const runner = startAgora(dir, ["run", "items"]);
    await waitFor(() => position() >= 200, 30_000, "a checkpoint past two batch files");
    const [python] = childPids(runner.pid as number, "python.config.json");
    process.kill(python as number, "SIGKILL");
    expect((await exited(runner)).code).toBe(1);
    const saved = position();
    expect(saved).toBeLessThan(3000);
    // Files of rows past the checkpoint were not confirmed by every target: still there.
    const left = readdirSync(join(dir, "batches"));
    expect(left.length).toBeGreaterThan(0);
    const leftRows = left.flatMap((file) => jsonLinesOf(join(dir, "batches", file)) as Array<{ id: number }>).map((row) => row.id);
    expect(Math.min(...leftRows)).toBeLessThanOrEqual(saved + 1);

    const resumed = await runSucceeds(dir, "items");
    expect(storedIds(join(dir, "native.db"))).toEqual(range(3000));
    expect(storedIds(join(dir, "python.db"))).toEqual(range(3000));
    // The resumed run read from the checkpoint on, not from the start.
    expect(resumed).toMatch(new RegExp(`read ${(3000 - saved).toLocaleString("en")}\\b`));
  });

  it("with middleware, a batch's records take the row lane: validated and transformed like RECORDs", async () => {
    const dir = batchProject(
      "middleware",
      5,
      2,
      { native: { command: "target-jsonl", config: { destination_path: "out" } } },
      {
        middleware: [
          { type: "add_fields", fields: { source: "csv" } },
          { type: "drop", fields: ["name"] },
        ],
      },
    );
    await runSucceeds(dir, "items");
    expect(jsonLinesOf(join(dir, "out", "items.jsonl"))).toEqual(range(5).map((id) => ({ id, source: "csv" })));
    expect(readdirSync(join(dir, "batches"))).toEqual([]);
  });

  it("max_records stops inside a batch: exactly that many rows reach the target, not a whole batch more", async () => {
    const dir = batchProject("max-records", 20, 4, { native: { command: "target-jsonl", config: { destination_path: "out" } } }, { max_records: 6 });
    await runSucceeds(dir, "items");
    expect(jsonLinesOf(join(dir, "out", "items.jsonl"))).toEqual(range(6).map((id) => ({ id, name: `name ${id}` })));
  });
});

describe("the Arrow lane", () => {
  it("keeps hostile names, nested values and nulls through Arrow files, natively and downgraded alike", async () => {
    const dir = writeProject(join(root, "arrow-hostile"), {
      connectors: {
        lines: {
          command: "tap-jsonl",
          config: {
            files: [{ path: "in.jsonl", stream: "items" }],
            batch_config: { format: "arrow", rows_per_file: 2, root: join(root, "arrow-hostile", "batches") },
          },
        },
        native: { command: "target-jsonl", config: { destination_path: "out-native" } },
        classic: { command: `python3 ${CLASSIC_TARGET_PY}`, config: { destination: "out-classic" } },
      },
      pipelines: { items: { tap: "lines", targets: ["native", "classic"] } },
    });
    const input = [
      '{"id":1,"__proto__":"p","constructor":"c","Select":true,"tags":["a"],"address":{"zip":"8001"},"score":1.5}',
      '{"id":2,"__proto__":"q","constructor":"d","Select":false,"tags":[],"address":{"zip":"75001"},"score":-0.25}',
      '{"id":3,"__proto__":null,"constructor":"e","Select":true,"tags":["b","c"],"address":{"zip":"00100"},"score":null}',
    ];
    writeFileSync(join(dir, "in.jsonl"), `${input.join("\n")}\n`);
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain("batches: native 2 native (3 rows), classic 2 as records (3 rows)");
    const expected = input.map((line) => JSON.parse(line) as unknown);
    expect(jsonLinesOf(join(dir, "out-native", "items.jsonl"))).toEqual(expected);
    expect(jsonLinesOf(join(dir, "out-classic", "items.jsonl"))).toEqual(expected);
    // Own properties, as JSON.parse makes them: no record got a prototype from its data.
    for (const line of readFileSync(join(dir, "out-native", "items.jsonl"), "utf8")
      .trim()
      .split("\n"))
      expect(line).toContain('"__proto__":');
  });
});

const arrowLine = (file: string): string =>
  JSON.stringify({ type: "BATCH", stream: "items", encoding: { format: "arrow" }, manifest: [pathToFileURL(file).href] });
const arrowBytes = await encodeArrowBatch([{ name: "id", kind: "int64" }], [{ id: 1 }, { id: 2 }, { id: 3 }], "items");
const textIdBytes = await encodeArrowBatch([{ name: "id", kind: "utf8" }], [{ id: "1" }], "items");
const extraBytes = await encodeArrowBatch(
  [
    { name: "id", kind: "int64" },
    { name: "sku", kind: "utf8" },
  ],
  [{ id: 1, sku: "a" }],
  "items",
);

/** The messages of an Arrow IPC stream (each with its continuation marker and length), end-of-stream marker left out. */
function ipcMessages(bytes: Uint8Array): Buffer[] {
  const buffer = Buffer.from(bytes);
  const messages: Buffer[] = [];
  for (let at = 0; at < buffer.length; ) {
    const length = buffer.readInt32LE(at + 4);
    if (length === 0) break;
    const end = at + 8 + length + Number(Message.decode(buffer.subarray(at + 8, at + 8 + length)).bodyLength);
    messages.push(buffer.subarray(at, end));
    at = end;
  }
  return messages;
}
// One column's schema, then a record batch of two columns: a damaged header readers fail on with an error of their internals.
const [idSchema] = ipcMessages(arrowBytes);
const [, twoColumnBatch] = ipcMessages(extraBytes);
const splicedBytes = Buffer.concat([idSchema ?? Buffer.alloc(0), twoColumnBatch ?? Buffer.alloc(0), Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]);

describe("a bad BATCH", () => {
  const schema = JSON.stringify({
    type: "SCHEMA",
    stream: "items",
    schema: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] },
    key_properties: ["id"],
  });
  const batchLine = (file: string, compression?: string): string =>
    JSON.stringify({
      type: "BATCH",
      stream: "items",
      encoding: { format: "jsonl", ...(compression === undefined ? {} : { compression }) },
      manifest: [pathToFileURL(file).href],
    });

  /** A tap that prints `lines` (cat of a file), into target-sqlite. */
  function catProject(name: string, lines: (dir: string) => string[], onError: "dlq" | "skip" | "fail"): string {
    const dir = writeProject(join(root, name), {
      connectors: { native: { command: "target-sqlite", config: { database: "out.db" } } },
      pipelines: { items: { tap: { command: "cat messages.jsonl" }, targets: ["native"], onError } },
    });
    writeFileSync(join(dir, "messages.jsonl"), `${lines(dir).join("\n")}\n`);
    return dir;
  }

  it.each([
    ["missing", "gone.jsonl", (dir: string) => [batchLine(join(dir, "gone.jsonl"))], "BATCH file is missing"],
    [
      "truncated",
      "cut.jsonl",
      (dir: string) => (writeFileSync(join(dir, "cut.jsonl"), '{"id":1}\n{"id":'), [batchLine(join(dir, "cut.jsonl"))]),
      "BATCH file ends in the middle of a line (row 2 is incomplete)",
    ],
    [
      "declared gzip, written plain",
      "plain.jsonl",
      (dir: string) => (writeFileSync(join(dir, "plain.jsonl"), '{"id":1}\n'), [batchLine(join(dir, "plain.jsonl"), "gzip")]),
      "BATCH file is not a complete gzip file",
    ],
    [
      "arrow, truncated",
      "cut.arrow",
      (dir: string) => (writeFileSync(join(dir, "cut.arrow"), arrowBytes.subarray(0, arrowBytes.length - 20)), [arrowLine(join(dir, "cut.arrow"))]),
      "BATCH file is not a readable Arrow IPC stream: the file is cut short",
    ],
    [
      "arrow, declared but jsonl",
      "rows.jsonl",
      (dir: string) => (writeFileSync(join(dir, "rows.jsonl"), '{"id":1}\n'), [arrowLine(join(dir, "rows.jsonl"))]),
      "BATCH file is not a readable Arrow IPC stream",
    ],
    [
      "arrow, a damaged record batch",
      "spliced.arrow",
      (dir: string) => (writeFileSync(join(dir, "spliced.arrow"), splicedBytes), [arrowLine(join(dir, "spliced.arrow"))]),
      "BATCH file is not a readable Arrow IPC stream: the record batch at byte 136 is damaged: it describes 2 columns where the schema has 1",
    ],
    [
      "arrow, a column of another type",
      "text-id.arrow",
      (dir: string) => (writeFileSync(join(dir, "text-id.arrow"), textIdBytes), [arrowLine(join(dir, "text-id.arrow"))]),
      'BATCH file has column "id" as utf8, where the stream\'s SCHEMA makes it int64',
    ],
    [
      "arrow, a column the SCHEMA lacks",
      "extra.arrow",
      (dir: string) => (writeFileSync(join(dir, "extra.arrow"), extraBytes), [arrowLine(join(dir, "extra.arrow"))]),
      'BATCH file has column "sku", which the stream\'s SCHEMA does not have',
    ],
  ])("%s: one line naming the stream and the file, the run failed, nothing after it confirmed", async (name, file, lines, said) => {
    const dir = catProject(
      `bad-${name.replace(/\W+/g, "-")}`,
      (folder) => [
        schema,
        '{"type":"RECORD","stream":"items","record":{"id":1}}',
        '{"type":"STATE","value":{"at":1}}',
        ...lines(folder),
        '{"type":"STATE","value":{"at":2}}',
      ],
      "fail",
    );
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).not.toBe(0);
    const errors = result.stderr.split("\n").filter((line) => line.includes("[BATCH_INVALID]"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`pipeline items, stream items, ${join(dir, file)}, line 4: ${said}`);
    expect(result.stderr).not.toContain("    at ");
    expect(savedCheckpoint(dir, "items")).toEqual({ at: 1 });
  });

  it("whose first row does not validate has each row checked on its own: under fail, the run stops at that record, naming it", async () => {
    const dir = catProject(
      "other-stream",
      (folder) => (
        writeFileSync(join(folder, "other.jsonl"), '{"sku":"a"}\n'),
        [
          schema,
          '{"type":"RECORD","stream":"items","record":{"id":1}}',
          '{"type":"STATE","value":{"at":1}}',
          batchLine(join(folder, "other.jsonl")),
          '{"type":"STATE","value":{"at":2}}',
        ]
      ),
      "fail",
    );
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('record rejected at validate: record field /id is required but missing; the record: {"sku":"a"}');
    expect(savedCheckpoint(dir, "items")).toEqual({ at: 1 });
  });

  it("whose first row alone is bad loses none of the good rows after it: under dlq, that row is the one dead letter", async () => {
    const rows = ['{"id":"one"}', '{"id":2}', '{"id":3}'];
    const dir = catProject(
      "first-row-bad",
      (folder) => (
        writeFileSync(join(folder, "rows.jsonl"), `${rows.join("\n")}\n`), [schema, batchLine(join(folder, "rows.jsonl")), '{"type":"STATE","value":{"at":3}}']
      ),
      "dlq",
    );
    await runSucceeds(dir, "items");
    expect(storedIds(join(dir, "out.db"))).toEqual([2, 3]);
    const db = new BetterSqlite3(join(dir, ".agora", "state.db"), { readonly: true });
    const letters = db.prepare("SELECT stage, error_code, raw FROM dead_letters").all() as Array<Record<string, unknown>>;
    db.close();
    expect(letters).toEqual([{ stage: "validate", error_code: "RECORD_INVALID", raw: '{"id":"one"}' }]);
    expect(savedCheckpoint(dir, "items")).toEqual({ at: 3 });
  });

  it('under on_error = "dlq", is one dead letter holding the BATCH message, and the records after it are delivered', async () => {
    const dir = catProject(
      "dlq",
      (folder) => [schema, batchLine(join(folder, "gone.jsonl")), '{"type":"RECORD","stream":"items","record":{"id":2}}', '{"type":"STATE","value":{"at":2}}'],
      "dlq",
    );
    await runSucceeds(dir, "items");
    expect(storedIds(join(dir, "out.db"))).toEqual([2]);
    const db = new BetterSqlite3(join(dir, ".agora", "state.db"), { readonly: true });
    const letters = db.prepare("SELECT stream, stage, error_code, raw FROM dead_letters").all() as Array<Record<string, unknown>>;
    db.close();
    expect(letters).toEqual([{ stream: "items", stage: "source", error_code: "BATCH_INVALID", raw: batchLine(join(dir, "gone.jsonl")) }]);
  });

  it("a gzip batch of the right stream goes through (the good case of the checks above)", async () => {
    const dir = catProject(
      "gzip-ok",
      (folder) => {
        writeFileSync(join(folder, "ok.jsonl.gz"), gzipSync('{"id":1}\n{"id":2}\n'));
        return [schema, batchLine(join(folder, "ok.jsonl.gz"), "gzip"), '{"type":"STATE","value":{"at":2}}'];
      },
      "fail",
    );
    await runSucceeds(dir, "items");
    expect(storedIds(join(dir, "out.db"))).toEqual([1, 2]);
    // The runner removes batch files once confirmed, whoever wrote them.
    expect(existsSync(join(dir, "ok.jsonl.gz"))).toBe(false);
  });
});
