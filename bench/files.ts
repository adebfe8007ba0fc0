import { createWriteStream, mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import { fileWriter, ParquetWriter, schemaFromColumnData } from "hyparquet-writer";
import { benchRecord, recordLine, schemaLine } from "./data.js";

const COLUMNS = ["id", "name", "email", "score", "active", "created_at", "city", "tags", "address", "balance"] as const;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes lines produced by `line(index)` for index 0..count-1, respecting backpressure. */
async function writeLines(path: string, header: string | undefined, count: number, line: (index: number) => string): Promise<number> {
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  if (header !== undefined) out.write(`${header}\n`);
  let chunk = "";
  for (let index = 0; index < count; index += 1) {
    chunk += `${line(index)}\n`;
    // Under 128 KiB: V8 makes and encodes longer strings far more slowly (docs/performance.md).
    if (chunk.length > 1 << 15) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
  return statSync(path).size;
}

export function writeBenchCsv(path: string, rows: number): Promise<number> {
  return writeLines(path, COLUMNS.join(","), rows, (index) => {
    const record = benchRecord(index);
    return COLUMNS.map((column) => csvCell(record[column])).join(",");
  });
}

export function writeBenchJsonl(path: string, rows: number): Promise<number> {
  return writeLines(path, undefined, rows, (index) => JSON.stringify(benchRecord(index)));
}

/** SCHEMA, the records, and a STATE every 10,000 records: a target's input. */
export function writeBenchMessages(path: string, rows: number): Promise<number> {
  return writeLines(path, schemaLine(), rows, (index) => {
    const line = recordLine(index);
    return (index + 1) % 10_000 === 0 ? `${line}\n${JSON.stringify({ type: "STATE", value: { bookmarks: { users: { row: index + 1 } } } })}` : line;
  });
}

/** A Parquet file of the bench records (flat columns: 8, or 10 with `visits` and `rating`), written a row group at a time. */
export function writeBenchParquet(path: string, rows: number, rowGroupSize = 100_000, tenColumns = false): number {
  const columnsFor = (start: number, end: number) => {
    const records = Array.from({ length: end - start }, (_, offset) => benchRecord(start + offset));
    return [
      { name: "id", data: records.map((record) => BigInt(record["id"] as number)), type: "INT64" as const, nullable: false },
      { name: "name", data: records.map((record) => record["name"] as string), type: "STRING" as const },
      { name: "email", data: records.map((record) => record["email"] as string), type: "STRING" as const },
      { name: "score", data: records.map((record) => record["score"] as number), type: "DOUBLE" as const },
      { name: "active", data: records.map((record) => record["active"] as boolean), type: "BOOLEAN" as const },
      { name: "created_at", data: records.map((record) => new Date(record["created_at"] as string)), type: "TIMESTAMP" as const },
      { name: "city", data: records.map((record) => record["city"] as string | null), type: "STRING" as const },
      { name: "balance", data: records.map((record) => record["balance"] as number | null), type: "DOUBLE" as const },
      ...(tenColumns
        ? [
            { name: "visits", data: records.map((record) => BigInt((record["id"] as number) % 977)), type: "INT64" as const },
            { name: "rating", data: records.map((record) => ((record["id"] as number) % 50) / 10), type: "DOUBLE" as const },
          ]
        : []),
    ];
  };
  const writer = new ParquetWriter({ writer: fileWriter(path), schema: schemaFromColumnData({ columnData: columnsFor(0, Math.min(rows, 10)) }) });
  for (let start = 0; start < rows; start += rowGroupSize) {
    writer.write({ columnData: columnsFor(start, Math.min(rows, start + rowGroupSize)), rowGroupSize });
  }
  writer.finish();
  return statSync(path).size;
}

export type InputKind = "csv" | "jsonl" | "parquet" | "parquet1m" | "parquet10" | "messages";

export const WRITERS: Record<InputKind, { readonly name: string; readonly write: (path: string, rows: number) => Promise<number> | number }> = {
  csv: { name: "users.csv", write: writeBenchCsv },
  jsonl: { name: "users.jsonl", write: writeBenchJsonl },
  parquet: { name: "users.parquet", write: writeBenchParquet },
  // Row groups of 1M rows (one at 1M rows), as writers that cut groups by size make of a table like the bench's.
  parquet1m: { name: "users-1m-groups.parquet", write: (path, rows) => writeBenchParquet(path, rows, 1_000_000) },
  parquet10: { name: "users-10-columns.parquet", write: (path, rows) => writeBenchParquet(path, rows, 100_000, true) },
  messages: { name: "messages.jsonl", write: writeBenchMessages },
};

/**
 * The generated inputs of a bench run, each written once per size and read
 * by every suite that needs it. Each is written by a worker thread, so a
 * suite asking for several at once has them made side by side, before it
 * measures anything (generating the 5,000,000-row files took 2 minutes one
 * after the other).
 */
export class BenchInputs {
  private readonly made = new Map<string, Promise<{ path: string; bytes: number }>>();

  constructor(private readonly directory: string) {}

  /** The file of `kind` with `rows` rows, written on first use; its path and size in bytes. */
  get(kind: InputKind, rows: number): Promise<{ path: string; bytes: number }> {
    const key = `${kind}:${rows}`;
    let file = this.made.get(key);
    if (file === undefined) {
      const folder = join(this.directory, String(rows));
      mkdirSync(folder, { recursive: true });
      const path = join(folder, WRITERS[kind].name);
      file = generateInWorker(kind, path, rows).then((bytes) => ({ path, bytes }));
      this.made.set(key, file);
    }
    return file;
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Writes one input in a worker thread (bench/generate-input.ts); its size in bytes. */
function generateInWorker(kind: InputKind, path: string, rows: number): Promise<number> {
  const worker = new Worker(new URL("./generate-input.js", import.meta.url), { workerData: { kind, path, rows } });
  return new Promise((resolve, reject) => {
    worker.once("message", (bytes: number) => resolve(bytes));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`generating ${path} stopped (exit code ${code})`)));
  });
}
