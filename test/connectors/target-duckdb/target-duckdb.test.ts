import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { writeJsonIn } from "../../helpers/files.js";
import { input, recordLine, schemaLine, stateLine } from "../../helpers/messages.js";
import { sampleParquetTap } from "../../helpers/parquet.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { agora, CLASSIC_TARGET_PY } from "../../helpers/project.js";
import { connectorBin, runNode, tempDir } from "../../helpers/processes.js";
import { readFileSync } from "node:fs";
import { runSucceeds } from "../../helpers/in-process-run.js";

const target = connectorBin("target-duckdb");
const dir = tempDir("agora-target-duckdb-");
let runs = 0;

function database(settings: Record<string, unknown> = {}): { config: string; file: string } {
  runs += 1;
  const file = join(dir, `db-${runs}`, "out.duckdb");
  return { file, config: writeJsonIn(dir, `t-${runs}.json`, { database: file, ...settings }) };
}

/** Rows of a query as JSON (TIMESTAMPTZ as ISO text in UTC), read while no target has the file open. */
async function query(file: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
  const connection = await instance.connect();
  try {
    await connection.run("SET TimeZone = 'UTC'");
    const reader = await connection.runAndReadAll(`SELECT to_json(q)::VARCHAR FROM (${sql}) q`);
    return reader.getRows().map(([text]) => JSON.parse(String(text)) as Record<string, unknown>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const PEOPLE = JSON.parse(
  '{"id":{"type":"integer"},"name":{"type":["null","string"]},"score":{"type":["null","number"]},"ok":{"type":["null","boolean"]},"born":{"type":["null","string"],"format":"date"},"seen":{"type":["null","string"],"format":"date-time"},"meta":{"type":["null","object"]},"__proto__":{"type":["null","string"]},"constructor":{"type":["null","string"]},"select":{"type":["null","integer"]}}',
) as Record<string, unknown>;

function person(id: number, name: string): Record<string, unknown> {
  const record: Record<string, unknown> = {
    id,
    name,
    score: id / 4,
    ok: id % 2 === 0,
    born: "1990-02-03",
    seen: "2024-05-06T07:08:09.5+02:00",
    meta: { tags: [id, "x"], deep: { a: null } },
    constructor: `c${id}`,
    select: id * 10,
  };
  Object.defineProperty(record, "__proto__", { value: `p${id}`, enumerable: true, writable: true, configurable: true });
  return record;
}

describe("target-duckdb", () => {
  it("upserts on the key properties (the last row of a key wins, within a batch and across them), with typed columns and names like __proto__ and select as data", async () => {
    // Batches of three rows: [1, 2, 1 again] and [3, 3 later, 4], so both repeats fall inside a batch, and key 1 crosses the first STATE;
    // then [2 replaced], whose keys are each there once (the path with no staging table), replacing key 2 of the first batch.
    const { config, file } = database({ batch_size_rows: 3 });
    const result = await runNode(target, ["--config", config], {
      input: input(
        schemaLine("People", PEOPLE, ["id"]),
        recordLine("People", person(1, "first")),
        recordLine("People", person(2, "two")),
        stateLine(1),
        recordLine("People", person(1, "again")),
        recordLine("People", person(3, "three")),
        recordLine("People", person(3, "three, later")),
        stateLine(2),
        recordLine("People", person(4, "four")),
        recordLine("People", person(2, "two, replaced")),
        stateLine(3),
      ),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(["1", "2", "3"]);
    const rows = await query(file, `SELECT * FROM "People" ORDER BY id`);
    expect(rows.map((row) => [row["id"], row["name"], row["__proto__"], row["constructor"], row["select"]])).toEqual([
      [1, "again", "p1", "c1", 10],
      [2, "two, replaced", "p2", "c2", 20],
      [3, "three, later", "p3", "c3", 30],
      [4, "four", "p4", "c4", 40],
    ]);
    expect(rows[0]).toMatchObject({
      score: 0.25,
      ok: false,
      born: "1990-02-03",
      seen: "2024-05-06 05:08:09.5+00",
      meta: { tags: [1, "x"], deep: { a: null } },
    });
    const types = await query(file, `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'People'`);
    expect(Object.fromEntries(types.map((row) => [row["column_name"], row["data_type"]]))).toMatchObject({
      id: "BIGINT",
      score: "DOUBLE",
      ok: "BOOLEAN",
      born: "DATE",
      seen: "TIMESTAMP WITH TIME ZONE",
      meta: "JSON",
      name: "VARCHAR",
    });
  });

  it("adds columns as the schema grows, appends streams without keys, and keeps a schema-less stream's records whole", async () => {
    const { config, file } = database();
    const result = await runNode(target, ["--config", config], {
      input: input(
        schemaLine("events", { id: { type: "integer" } }),
        recordLine("events", { id: 1 }),
        recordLine("events", { id: 1 }),
        schemaLine("events", { id: { type: "integer" }, kind: { type: ["null", "string"] } }),
        recordLine("events", { id: 2, kind: "new" }),
        schemaLine("blobs", {}),
        recordLine("blobs", { anything: [1, { b: "c" }] }),
        stateLine(1),
      ),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await query(file, `SELECT * FROM events ORDER BY id, kind`)).toEqual([
      { id: 1, kind: null },
      { id: 1, kind: null },
      { id: 2, kind: "new" },
    ]);
    expect(await query(file, `SELECT _sdc_record FROM blobs`)).toEqual([{ _sdc_record: { anything: [1, { b: "c" }] } }]);
  });

  it("handles key and type changes as target-sqlite and target-postgres do: a key change stops in one line, a type change widens the column to JSON keeping every row", async () => {
    const db = database();
    const first = await runNode(target, ["--config", db.config], {
      input: input(schemaLine("t", { id: { type: "integer" }, v: { type: "integer" } }, ["id"]), recordLine("t", { id: 1, v: 10 }), stateLine(1)),
    });
    expect(first.exitCode, first.stderr).toBe(0);
    const retyped = await runNode(target, ["--config", db.config], {
      input: input(schemaLine("t", { id: { type: "integer" }, v: { type: "string" } }, ["id"]), recordLine("t", { id: 2, v: "ten" }), stateLine(2)),
    });
    expect(retyped.exitCode, retyped.stderr).toBe(0);
    // Once more with the new type: the widened table takes it on later runs too.
    const again = await runNode(target, ["--config", db.config], {
      input: input(schemaLine("t", { id: { type: "integer" }, v: { type: "string" } }, ["id"]), recordLine("t", { id: 3, v: "x" }), stateLine(3)),
    });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await query(db.file, "SELECT id, v FROM t ORDER BY id")).toEqual([
      { id: 1, v: 10 },
      { id: 2, v: "ten" },
      { id: 3, v: "x" },
    ]);
    const rekeyed = await runNode(target, ["--config", db.config], {
      input: input(schemaLine("t", { id: { type: "integer" }, v: { type: "string" } }, ["v"]), recordLine("t", { id: 4, v: "y" }), stateLine(4)),
    });
    expect(rekeyed.exitCode).not.toBe(0);
    expect(rekeyed.stdout).toBe("");
    expect(rekeyed.stderr.trim()).toBe(
      "target-duckdb error: target-duckdb, stream t: the table's key is (id) but the stream's key properties are (v). Drop or rename table main.t, or keep the stream's key properties unchanged. [KEYS_CHANGED]",
    );
  });

  it("refuses properties that differ only in case, and a value the table refuses, with one line each and nothing confirmed", async () => {
    const { config } = database();
    const collide = await runNode(target, ["--config", config], {
      input: input(schemaLine("s", { id: { type: "integer" }, ID: { type: "integer" } }), recordLine("s", { id: 1, ID: 2 }), stateLine(1)),
    });
    expect(collide.exitCode).not.toBe(0);
    expect(collide.stderr.trim().split("\n")).toHaveLength(1);
    expect(collide.stderr).toContain('properties "id" and "ID" differ only in case');
    expect(collide.stdout).toBe("");

    const other = database({ validate_records: false });
    const refused = await runNode(target, ["--config", other.config], {
      input: input(
        schemaLine("s", { id: { type: "integer" }, at: { type: "string", format: "date-time" } }, ["id"]),
        recordLine("s", { id: 1, at: "not a time" }),
        stateLine(1),
      ),
    });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    // Refused as it is encoded, before DuckDB sees it: naming the line and the field.
    expect(refused.stderr).toContain('stream s, line 2, field at: column "at" holds timestamps in microseconds: "not a time" is not an RFC 3339 date-time');
    expect(refused.stderr).toContain("[ARROW_VALUE_MISMATCH]");
    expect(refused.stdout).toBe("");
  });

  it("takes tap-parquet's Arrow batches natively while a plain Python Singer target gets the same rows as records, and passes agora test target", async () => {
    const project = join(dir, "project");
    const source = join(dir, "source.parquet");
    const { tap, expected } = sampleParquetTap(source, { rows: 250, rowGroupSize: 100 }, "arrow", join(project, "batches"));
    writeProject(project, {
      connectors: {
        sales: tap,
        warehouse: { command: "target-duckdb", config: { database: "warehouse.duckdb" } },
        classic: { command: `python3 ${CLASSIC_TARGET_PY}`, config: { destination: "out-classic" } },
      },
      pipelines: { sales: { tap: "sales", targets: ["warehouse", "classic"] } },
    });
    const log = await runSucceeds(project, "sales");
    expect(log).toContain("batches: warehouse 3 native (250 rows), classic 3 as records (250 rows)");
    const stored = await query(
      join(project, "warehouse.duckdb"),
      `SELECT id, name, score, flag, strftime("at", '%Y-%m-%dT%H:%M:%S.%gZ') AS "at", big FROM sales ORDER BY id`,
    );
    expect(stored).toEqual(expected);
    const classic = readFileSync(join(project, "out-classic", "sales.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(classic).toEqual(expected);

    const { config, file } = database({ release_between_batches: true });
    const conformance = await agora(dir, ["test", "target", `node ${target}`, "--config", config, "--read", `duckdb:${file}`]);
    expect(conformance.stdout, conformance.stderr).toContain("6 passed, 0 failed");
  });
});
