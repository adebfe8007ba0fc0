import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { pipelineProject } from "../helpers/pipeline-project.js";
import { agora } from "../helpers/project.js";
import { ROOT, tempDir } from "../helpers/processes.js";
import { postgresUrl } from "../helpers/postgres.js";
import { runSucceeds } from "../helpers/in-process-run.js";

/*
 * Values a double or a millisecond clock would change, from a Python tap through
 * `agora run` (with a middleware step, so the runner writes each record again) into
 * every target, read back by readers that are not ours: Python's json (Decimal) and
 * csv and sqlite3, DuckDB, Postgres's own ::text. Each value lands as the tap wrote
 * it, or its record is a dead letter saying why.
 */

const TAP = join(ROOT, "test", "fixtures", "python", "tap_exact.py");
const READ = join(ROOT, "test", "fixtures", "python", "read_values.py");
const root = tempDir("agora-exact-");
const url = postgresUrl();

type Row = Record<string, string | null>;

const SENT: Row[] = [
  { id: "9007199254740993", amount: "123456789012345678901234567890.123456789", at: "2024-05-06T07:08:09.123456Z", note: "a" },
  { id: "9007199254740992", amount: "1234567890123456.78", at: "2024-05-06T07:08:09.000001Z", note: "b" },
  { id: "9007199254740995", amount: "2.5", at: "1999-12-31T23:59:59.999999Z", note: "c" },
  { id: "12345678901234567890", amount: "1.5", at: null, note: "d" },
];
/** The sent rows, with note hashed as the pipeline's middleware does it, sorted by note. */
const byNote = (rows: Row[]): Row[] => [...rows].sort((a, b) => String(a["note"]).localeCompare(String(b["note"])));

function python(args: string[]): Row[] {
  return execFileSync("python3", [READ, ...args], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Row);
}

async function duckdbRows(sql: string, attach?: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    if (attach !== undefined) await connection.run(`ATTACH '${attach}' AS w (READ_ONLY)`);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe("exact values through agora run into every target", () => {
  const dir = pipelineProject(
    join(root, "six"),
    {
      tap: { command: "python3", args: [TAP] },
      // Changes each record, so the runner writes it again rather than forwarding the tap's line.
      middleware: [{ type: "add_fields", fields: { checked: true } }],
      targets: [
        { command: "target-jsonl", config: { destination_path: "jsonl" } },
        { command: "target-csv", config: { destination_path: "csv" } },
        { command: "target-sqlite", config: { database: "w.db" } },
        { command: "target-duckdb", config: { database: "w.duckdb" } },
        { command: "target-parquet", config: { destination_path: "parquet" } },
        ...(url === undefined ? [] : [{ command: "target-postgres", config: { url, schema: `exact_${process.pid}` } }]),
      ],
    },
    "money",
  );
  let run: Promise<Awaited<ReturnType<typeof agora>>> | undefined;
  const ran = (): Promise<Awaited<ReturnType<typeof agora>>> => (run ??= agora(dir, ["run", "money"]));
  const client = url === undefined ? undefined : new pg.Client({ connectionString: url });
  afterAll(async () => {
    await client?.query(`DROP SCHEMA IF EXISTS "exact_${process.pid}" CASCADE`).catch(() => undefined);
    await client?.end();
  });

  it("succeeds, dead-lettering only the values a target's column cannot hold", async () => {
    const result = await ran();
    expect(result.exitCode, result.stderr).toBe(0);
    const listed = await agora(dir, ["--json", "dlq", "list", "money"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    // The dead letters keep the record as the tap wrote it: the id past 64 bits, to its last digit.
    expect(listed.stdout).toContain('"id":12345678901234567890');
    expect(listed.stdout).toContain('"amount":123456789012345678901234567890.123456789');
    const letters = JSON.parse(listed.stdout) as Array<{ errorMessage: string; errorCode: string }>;
    expect(letters.map((letter) => letter.errorMessage).join("\n")).toMatch(/12345678901234567890 does not fit/);
  });

  it("target-jsonl and target-csv keep every digit (Python's json with Decimal, and csv)", async () => {
    await ran();
    const expected: Row[] = byNote(SENT).map((row) => ({ ...row, checked: "true" }));
    expect(byNote(python(["jsonl", join(dir, "jsonl", "money.jsonl")]))).toEqual(expected);
    expect(byNote(python(["csv", join(dir, "csv", "money.csv")]))).toEqual(expected.map((row) => ({ ...row, at: row["at"] ?? "", checked: "true" })));
  });

  it("target-sqlite keeps 64-bit ids as INTEGER and long decimals as their text; the id past 64 bits is a dead letter", async () => {
    await ran();
    const rows = byNote(python(["sqlite", join(dir, "w.db"), "money", "id", "amount", "at", "note"]));
    expect(rows.map((row) => [row["id"], row["id:type"], row["amount"], row["amount:type"], row["at"]])).toEqual([
      ["9007199254740993", "integer", "123456789012345678901234567890.123456789", "text", "2024-05-06T07:08:09.123456Z"],
      ["9007199254740992", "integer", "1234567890123456.78", "text", "2024-05-06T07:08:09.000001Z"],
      ["9007199254740995", "integer", "2.5", "real", "1999-12-31T23:59:59.999999Z"],
    ]);
  });

  it("target-duckdb and target-parquet keep int64 ids exactly and microseconds; what a double or int64 cannot hold is a dead letter", async () => {
    await ran();
    const duck = await duckdbRows(
      `SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, strftime(timezone('UTC', "at"), '%Y-%m-%dT%H:%M:%S.%fZ') AS "at" FROM w.money ORDER BY id`,
      join(dir, "w.duckdb"),
    );
    expect(duck).toEqual([{ id: "9007199254740995", amount: "2.5", at: "1999-12-31T23:59:59.999999Z" }]);
    // target-parquet's "at" is a TIMESTAMP (microseconds, UTC).
    const parquet = await duckdbRows(
      `SELECT id::VARCHAR AS id, amount::VARCHAR AS amount, strftime(timezone('UTC', "at"), '%Y-%m-%dT%H:%M:%S.%fZ') AS "at" FROM read_parquet('${join(dir, "parquet", "*.parquet")}') ORDER BY id`,
    );
    expect(parquet).toEqual([{ id: "9007199254740995", amount: "2.5", at: "1999-12-31T23:59:59.999999Z" }]);
  });

  it.skipIf(url === undefined)("target-postgres keeps bigint ids, numeric to every digit and timestamptz to the microsecond", async () => {
    await ran();
    await client?.connect();
    const rows = (
      await client?.query(
        `SELECT id::text, amount::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at FROM "exact_${process.pid}".money ORDER BY note`,
      )
    )?.rows as Row[];
    expect(rows).toEqual(SENT.slice(0, 3).map((row) => ({ id: row["id"], amount: row["amount"], at: row["at"] })));
  });

  it("keeps a bookmark past 2^53 exactly: the checkpoint, `agora state show`, and the --state the next run hands the tap", async () => {
    await ran();
    const shown = await agora(dir, ["state", "show", "money"]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    // The last STATE every target confirmed; JSON.parse would have made it 12345678901234567000.
    expect(shown.stdout).toContain('"id": 12345678901234567890');
    await runSucceeds(dir, "money");
    expect(readFileSync(join(dir, "received_state.json"), "utf8")).toContain("12345678901234567890");
  });
});
