import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { sampleParquetTap, writeSampleParquet } from "../../helpers/parquet.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { agora, CLASSIC_TARGET_PY } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-parquet-batches-");

/** Rows of a query as JSON, on a database file opened read-only, or on an in-memory one (to read Parquet files). */
async function duckdbRows(file: string | undefined, sql: string): Promise<unknown[]> {
  const instance = file === undefined ? await DuckDBInstance.create(":memory:") : await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT to_json(q)::VARCHAR FROM (${sql}) q`);
    return reader.getRows().map(([text]) => JSON.parse(String(text)) as unknown);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("Parquet batch files", () => {
  it("tap-parquet writes its row groups as Parquet batches: target-duckdb and target-parquet load them as they are, a Python Singer target gets the same rows as records", async () => {
    const dir = join(root, "fan-out");
    const source = join(root, "source.parquet");
    const { tap, expected } = sampleParquetTap(source, { rows: 90, rowGroupSize: 40 }, "parquet", join(dir, "batches"));
    writeProject(dir, {
      connectors: {
        sales: tap,
        warehouse: { command: "target-duckdb", config: { database: "warehouse.duckdb" } },
        lake: { command: "target-parquet", config: { destination_path: "lake" } },
        classic: { command: `python3 ${CLASSIC_TARGET_PY}`, config: { destination: "out-classic" } },
      },
      pipelines: { sales: { tap: "sales", targets: ["warehouse", "lake", "classic"] } },
    });
    const log = await runSucceeds(dir, "sales");
    expect(log).toContain("batches: warehouse 3 native (90 rows), lake 3 native (90 rows), classic 3 as records (90 rows)");
    const classic = readFileSync(join(dir, "out-classic", "sales.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(classic).toEqual(expected);
    expect(
      await duckdbRows(
        join(dir, "warehouse.duckdb"),
        `SELECT id, name, score, flag, strftime("at", '%Y-%m-%dT%H:%M:%S.%gZ') AS "at", big FROM sales ORDER BY id`,
      ),
    ).toEqual(expected);
    const lake = await duckdbRows(
      undefined,
      `SELECT id, name, score, flag, strftime("at", '%Y-%m-%dT%H:%M:%S.%gZ') AS "at", big FROM read_parquet('${join(dir, "lake", "sales.parquet")}') ORDER BY id`,
    );
    expect(lake).toEqual(expected);
    expect(readdirSync(join(dir, "batches"))).toEqual([]);
  });

  it("a Parquet batch file that is cut short is one line naming the file, and nothing after it is confirmed", async () => {
    const dir = join(root, "truncated");
    const good = join(root, "whole.parquet");
    writeSampleParquet(good, { rows: 10, rowGroupSize: 10 });
    const cut = join(root, "cut.parquet");
    writeFileSync(cut, readFileSync(good).subarray(0, 200));
    const schema = {
      type: "object",
      properties: {
        id: { type: "integer" },
        name: { type: ["null", "string"] },
        score: { type: ["null", "number"] },
        flag: { type: ["null", "boolean"] },
        at: { type: ["null", "string"], format: "date-time" },
        big: { type: ["null", "integer"] },
      },
    };
    const lines = [
      { type: "SCHEMA", stream: "sales", schema, key_properties: ["id"] },
      { type: "BATCH", stream: "sales", encoding: { format: "parquet" }, manifest: [pathToFileURL(cut).href] },
      { type: "STATE", value: { after: "cut" } },
    ];
    writeProject(dir, {
      connectors: { tap: { command: "bash tap.sh" }, out: { command: "target-jsonl", config: { destination_path: "out" } } },
      pipelines: { sales: { tap: "tap", targets: ["out"], onError: "fail" } },
    });
    writeFileSync(join(dir, "messages.jsonl"), `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
    writeFileSync(join(dir, "tap.sh"), "cat messages.jsonl\n");
    const result = await agora(dir, ["run", "sales"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain(`BATCH file is not a Parquet file (truncated, or of another format)`);
    expect(result.stderr).toContain(cut);
    expect(result.stderr).toContain("[BATCH_INVALID]");
    expect((await agora(dir, ["state", "show", "sales"])).stdout).not.toContain("cut");
  });
});
