import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { tableRows, writeIn, writeJsonIn } from "../helpers/files.js";
import { writeSampleParquet } from "../helpers/parquet.js";
import { connectorBin, run, tempDir } from "../helpers/processes.js";

/** Data through real processes, tap | target in a shell, compared value by value with types. */
const dir = tempDir();
const node = process.execPath;

function pipe(tap: string, tapConfig: string, target: string, targetConfig: string): ReturnType<typeof run> {
  return run("bash", ["-c", `set -o pipefail; ${node} ${connectorBin(tap)} --config ${tapConfig} | ${node} ${connectorBin(target)} --config ${targetConfig}`]);
}

describe("round trips", () => {
  it("CSV → SQLite keeps every value and type", async () => {
    const rows = [
      "id,name,price,in_stock,updated_at,sku",
      ...Array.from(
        { length: 300 },
        (_, index) =>
          `${index + 1},"Item ${index + 1}, ""deluxe""",${(index * 1.25).toFixed(2)},${index % 3 === 0},2024-01-${String((index % 28) + 1).padStart(2, "0")}T12:00:00Z,${String(index).padStart(6, "0")}`,
      ),
    ];
    const csv = writeIn(dir, "items.csv", `${rows.join("\n")}\n`);
    const database = join(dir, "items.db");
    const result = await pipe(
      "tap-csv",
      writeJsonIn(dir, "csv.json", { files: [{ path: csv, key_properties: ["id"] }] }),
      "target-sqlite",
      writeJsonIn(dir, "sqlite.json", { database }),
    );
    expect(result.exitCode).toBe(0);
    const stored = tableRows(database, "items", "id");
    expect(stored).toHaveLength(300);
    stored.forEach((row, index) => {
      expect(row).toEqual({
        id: index + 1,
        name: `Item ${index + 1}, "deluxe"`,
        price: Number((index * 1.25).toFixed(2)),
        in_stock: index % 3 === 0 ? 1 : 0,
        updated_at: `2024-01-${String((index % 28) + 1).padStart(2, "0")}T12:00:00Z`,
        sku: String(index).padStart(6, "0"),
      });
    });
  });

  it("JSONL → CSV keeps every value, nested ones as JSON", async () => {
    const records = Array.from({ length: 120 }, (_, index) => ({
      id: index,
      label: `ü-${index}\nline two`,
      ratio: index / 8,
      flag: index % 2 === 0,
      nested: { a: index, b: [index, "x"] },
      maybe: index % 4 === 0 ? null : "v",
    }));
    const jsonl = writeIn(dir, "events.jsonl", `${records.map((record) => JSON.stringify(record)).join("\n")}\n`);
    const out = join(dir, "csv-out");
    const result = await pipe(
      "tap-jsonl",
      writeJsonIn(dir, "jsonl.json", { files: [{ path: jsonl, key_properties: ["id"] }] }),
      "target-csv",
      writeJsonIn(dir, "csv-target.json", { destination_path: out }),
    );
    expect(result.exitCode).toBe(0);
    const [header, ...cells] = parse(readFileSync(join(out, "events.csv"), "utf8")) as string[][];
    expect(header).toEqual(["id", "label", "ratio", "flag", "nested", "maybe"]);
    expect(cells).toHaveLength(120);
    cells.forEach((row, index) => {
      const record = records[index]!;
      expect(row).toEqual([String(record.id), record.label, String(record.ratio), String(record.flag), JSON.stringify(record.nested), record.maybe ?? ""]);
    });
  });

  it("Parquet → JSONL keeps every value and type", async () => {
    const parquet = join(dir, "sales.parquet");
    const expected = writeSampleParquet(parquet, { rows: 500, rowGroupSize: 128 });
    const out = join(dir, "jsonl-out");
    const result = await pipe(
      "tap-parquet",
      writeJsonIn(dir, "pq.json", { files: [{ path: parquet, key_properties: ["id"] }] }),
      "target-jsonl",
      writeJsonIn(dir, "jsonl-target.json", { destination_path: out }),
    );
    expect(result.exitCode).toBe(0);
    const written = readFileSync(join(out, "sales.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(written).toEqual(expected);
  });
});
