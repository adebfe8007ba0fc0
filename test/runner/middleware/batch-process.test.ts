import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleParquetTap } from "../../helpers/parquet.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { agora, range } from "../../helpers/project.js";
import { ROOT, tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-batch-process-");
const WORKER = join(ROOT, "test", "fixtures", "python", "batch_worker.py");

/** A bash tap writing a SCHEMA, `count` records and a STATE in one write (so batches form the same way every run). */
function rowsProject(name: string, count: number, step: Record<string, unknown>, onError?: "dlq" | "fail"): string {
  const dir = join(root, name);
  const lines = [
    JSON.stringify({
      type: "SCHEMA",
      stream: "items",
      schema: { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } } },
      key_properties: ["id"],
    }),
    ...range(count).map((id) => JSON.stringify({ type: "RECORD", stream: "items", record: { id, name: `item ${id}` } })),
    JSON.stringify({ type: "STATE", value: { done: count } }),
  ];
  writeProject(dir, {
    connectors: { items: { command: "bash tap.sh" }, out: { command: "target-jsonl", config: { destination_path: "out" } } },
    pipelines: { items: { tap: "items", targets: ["out"], middleware: [step], ...(onError === undefined ? {} : { onError }) } },
  });
  writeFileSync(join(dir, "items.jsonl"), `${lines.join("\n")}\n`);
  writeFileSync(join(dir, "tap.sh"), "cat items.jsonl\n");
  return dir;
}

const written = (dir: string): Array<Record<string, unknown>> =>
  readFileSync(join(dir, "out", "items.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("batch_process middleware", () => {
  it("sends whole batches to a pool of Python workers and commits their answers in source order", async () => {
    const dir = rowsProject("pool", 95, { type: "batch_process", command: `python3 ${WORKER}`, batch_rows: 10, max_workers: 2, max_in_flight_batches: 4 });
    await runSucceeds(dir, "items");
    const rows = written(dir);
    expect(rows.map((row) => [row["id"], row["name"]])).toEqual(range(95).map((id) => [id, `ITEM ${id}`]));
    const pids = new Set(rows.map((row) => row["worker_pid"]));
    expect(pids.size).toBeGreaterThanOrEqual(1);
    expect(pids.size).toBeLessThanOrEqual(2);
    expect((await agora(dir, ["state", "show", "items"])).stdout).toContain('"done": 95');
  });

  it("a batch past timeout_seconds fails, the pool is recycled, and the batches its generation still held fail with it", async () => {
    // One worker, three batches in flight: 1–10 is answered; 11–20 holds id 13, which the worker never answers;
    // 21–30 and 31–40 wait behind it in the same generation. 41–50 goes to the new one.
    const dir = rowsProject(
      "timeout",
      50,
      {
        type: "batch_process",
        command: `python3 ${WORKER}`,
        batch_rows: 10,
        max_workers: 1,
        max_in_flight_batches: 3,
        timeout_seconds: 1,
        env: { HANG_ID: "13" },
      },
      "dlq",
    );
    await runSucceeds(dir, "items");
    const rows = written(dir);
    expect(rows.map((row) => row["id"])).toEqual([...range(10), ...range(10).map((id) => id + 40)]);
    // Recycled: the rows after the timeout came from another process.
    expect(rows[0]?.["worker_pid"]).not.toBe(rows[10]?.["worker_pid"]);
    const dead = JSON.parse((await agora(dir, ["--json", "dlq", "list", "items", "--limit", "100"])).stdout) as Array<{
      errorCode: string;
      original: { id: number };
    }>;
    const byCode = (code: string): number[] =>
      dead
        .filter((entry) => entry.errorCode === code)
        .map((entry) => entry.original.id)
        .sort((a, b) => a - b);
    expect(byCode("BATCH_TIMEOUT")).toEqual(range(10).map((id) => id + 10));
    expect(byCode("BATCH_POOL_RECYCLED")).toEqual(range(20).map((id) => id + 20));
    expect(dead).toHaveLength(30);
  });

  it("stops the run at a timed-out batch under on_error = fail, with the checkpoint before it", async () => {
    const dir = rowsProject(
      "timeout-fail",
      30,
      {
        type: "batch_process",
        command: `python3 ${WORKER}`,
        batch_rows: 10,
        max_workers: 1,
        max_in_flight_batches: 1,
        timeout_seconds: 1,
        env: { HANG_ID: "15" },
      },
      "fail",
    );
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("[BATCH_TIMEOUT]");
    expect(result.stderr).toContain("got no answer within 1 s; the worker pool was recycled");
    expect(written(dir).map((row) => row["id"])).toEqual(range(10));
    // The run's only STATE came after all 30 records: it was never confirmed.
    expect((await agora(dir, ["state", "show", "items"])).stdout).not.toContain("done");
  });

  it("a worker command that dies before answering anything is started once, not once a batch: every batch goes to the dead-letter queue with its error", async () => {
    const dir = rowsProject("broken", 40, { type: "batch_process", command: "bash -c 'echo no such worker >&2; exit 3'", batch_rows: 10 }, "dlq");
    const result = await agora(dir, ["run", "items"]);
    // Every batch fails with the same error, each as dead letters; the worker was started once, not once a batch.
    expect(result.stderr.match(/no such worker/g) ?? []).toHaveLength(1);
    const dead = JSON.parse((await agora(dir, ["--json", "dlq", "list", "items", "--limit", "100"])).stdout) as Array<{ original: { id: number } }>;
    expect(dead.map((entry) => entry.original.id).sort((a, b) => a - b)).toEqual(range(40));
  });

  it("runs a Node module's transformArrowBatch on each Arrow batch, and refuses an answer with another row count", async () => {
    const dir = join(root, "arrow");
    const source = join(root, "arrow.parquet");
    const { tap, expected } = sampleParquetTap(source, { rows: 60, rowGroupSize: 25 }, "arrow", join(dir, "batches"));
    const arrowModule = join(ROOT, "node_modules", "apache-arrow", "Arrow.node.mjs");
    writeProject(dir, {
      connectors: { sales: tap, out: { command: "target-jsonl", config: { destination_path: "out" } } },
      pipelines: {
        sales: {
          tap: "sales",
          targets: ["out"],
          middleware: [
            { type: "batch_process", module: "shout.mjs", plane: "arrow", max_workers: 2 },
            { type: "select", fields: ["name"] },
          ],
          onError: "fail",
        },
        halves: { tap: "sales", targets: ["out"], middleware: [{ type: "batch_process", module: "halve.mjs", plane: "arrow" }], onError: "fail" },
      },
    });
    writeFileSync(
      join(dir, "shout.mjs"),
      `import { Table, vectorFromArray, Utf8 } from "${arrowModule}";
export function transformArrowBatch(table) {
  const columns = {};
  for (const field of table.schema.fields) columns[field.name] = table.getChild(field.name);
  const names = table.getChild("name");
  columns.name = vectorFromArray(Array.from({ length: table.numRows }, (_, row) => names.get(row)?.toUpperCase() ?? null), new Utf8());
  return new Table(columns);
}
`,
    );
    writeFileSync(join(dir, "halve.mjs"), "export const transformArrowBatch = (table) => table.slice(0, Math.floor(table.numRows / 2));\n");
    await runSucceeds(dir, "sales");
    expect(
      readFileSync(join(dir, "out", "sales.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(expected.map((row) => ({ id: row["id"], name: typeof row["name"] === "string" ? row["name"].toUpperCase() : null })));
    const halved = await agora(dir, ["run", "halves"]);
    expect(halved.exitCode).not.toBe(0);
    expect(halved.stderr).toContain("returned 12 rows for a batch of 25: an Arrow batch step must keep the row count");
    expect(halved.stderr).toContain("[BATCH_ROWS_CHANGED]");
  });
});
