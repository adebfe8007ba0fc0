import { readdirSync, readFileSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeJsonIn } from "../helpers/files.js";
import { killMidStream } from "../helpers/killed-target.js";
import { recordLine, schemaLine, stateLine } from "../helpers/messages.js";
import { connectorBin, run, spawnNode, tempDir } from "../helpers/processes.js";

/*
 * File targets with many streams: their files written at once and fewer of them open than there
 * are streams. Whatever they confirmed is on disk when they are killed, and running out of file
 * descriptors does not stop them.
 */
/** The ids in a folder's .jsonl files; a kill's torn last line (never confirmed) is not a record. */
function jsonlIds(folder: string): number[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith(".jsonl"))
    .flatMap((file) =>
      readFileSync(join(folder, file), "utf8")
        .split("\n")
        .slice(0, -1)
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as { id: number }).id),
    )
    .sort((left, right) => left - right);
}

/** The ids in a folder's .csv files (first column), headers left out. */
function csvIds(folder: string): number[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith(".csv"))
    .flatMap((file) =>
      readFileSync(join(folder, file), "utf8")
        .split("\n")
        .slice(1, -1)
        .filter((line) => line !== "")
        .map((line) => Number(line.split(",")[0])),
    )
    .sort((left, right) => left - right);
}

/** The ids in a folder's .parquet files, as DuckDB reads them. */
async function parquetIds(folder: string): Promise<number[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT id FROM read_parquet('${join(folder, "*.parquet")}') ORDER BY id`);
    return reader.getRowObjectsJS().map((row) => Number(row["id"]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const cases = [
  { name: "target-jsonl", settings: { max_open_files: 20 }, ids: jsonlIds },
  { name: "target-csv", settings: { max_open_files: 20 }, ids: csvIds },
] as const;

/** Every file target, for the limits a tap with many streams meets (a killed target-parquet leaves a torn tail that only its next run cuts, so it is not in the kill cases). */
const everyFileTarget: ReadonlyArray<{ readonly name: string; readonly ids: (folder: string) => number[] | Promise<number[]> }> = [
  ...cases,
  { name: "target-parquet", ids: parquetIds },
];

describe.each(cases)("$name with 300 streams, killed with SIGKILL mid-stream", ({ name, settings, ids }) => {
  it("has every record of every STATE it confirmed, each once, across its files", async () => {
    const dir = tempDir("agora-many-streams-");
    const out = join(dir, "out");
    const config = writeJsonIn(dir, "config.json", { destination_path: out, batch_size_rows: 500, batch_wait_limit_seconds: 0.05, ...settings });
    const { lastConfirmed, signal } = await killMidStream(spawnNode(connectorBin(name), ["--config", config]), 3, 300);
    expect(signal).toBe("SIGKILL");
    expect(lastConfirmed).toBeGreaterThan(0);
    const held = ids(out);
    // Each record once; every one up to the last confirmed STATE.
    expect(new Set(held).size).toBe(held.length);
    expect(held.slice(0, lastConfirmed)).toEqual(Array.from({ length: lastConfirmed }, (_, index) => index + 1));
    expect(readdirSync(out)).toHaveLength(300);
  });
});

describe.each(everyFileTarget)("$name out of file descriptors", ({ name, ids }) => {
  it("keeps fewer files open and writes every stream, under a limit of 128 descriptors for 400 streams", async () => {
    const dir = tempDir("agora-descriptors-");
    const out = join(dir, "out");
    const config = writeJsonIn(dir, "config.json", { destination_path: out });
    const lines: string[] = [];
    for (let stream = 0; stream < 400; stream += 1) lines.push(schemaLine(`s${stream}`, { id: { type: "integer" } }, ["id"]));
    for (let id = 1; id <= 2000; id += 1) lines.push(recordLine(`s${id % 400}`, { id }));
    lines.push(stateLine({ upTo: 2000 }));
    const result = await run("bash", ["-c", `ulimit -n 128 && exec "${process.execPath}" "${connectorBin(name)}" --config "${config}"`], {
      input: `${lines.join("\n")}\n`,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe('{"upTo":2000}');
    expect(await ids(out)).toEqual(Array.from({ length: 2000 }, (_, index) => index + 1));
    // One file per stream, and nothing left aside.
    expect(readdirSync(out)).toHaveLength(400);
  });
});
