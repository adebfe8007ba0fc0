import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { writeJsonIn } from "../helpers/files.js";
import { input, schemaLine, stateLine } from "../helpers/messages.js";
import { connectorBin, runNode, tempDir } from "../helpers/processes.js";

/*
 * A numeric(p,s) column of a database tap (singer-python's schema for it: multipleOf 10^-s and
 * bounds of ±10^(p-s)) lands in target-duckdb and target-parquet as DECIMAL(p,s), every digit
 * exact, read back by DuckDB; a value the column would round or cannot hold is one dead letter.
 * The RECORD lines are written by hand: what matters is the text of each number.
 */
const dir = tempDir("agora-decimals-");

const SCHEMA = {
  id: { type: "integer" },
  price: { type: ["null", "number"], multipleOf: 0.01, maximum: 1e8, exclusiveMaximum: true, minimum: -1e8, exclusiveMinimum: true },
  big: { type: ["null", "number"], multipleOf: 1e-9, maximum: 1e29, exclusiveMaximum: true, minimum: -1e29, exclusiveMinimum: true },
};
const RECORDS = [
  '{"type":"RECORD","stream":"m","record":{"id":1,"price":1234.56,"big":12345678901234567890123456789.123456789}}',
  '{"type":"RECORD","stream":"m","record":{"id":2,"price":-0.01,"big":-0.000000001}}',
  '{"type":"RECORD","stream":"m","record":{"id":3,"price":99999999.99,"big":null}}',
  // More digits after the point than the scale: a database would round it.
  '{"type":"RECORD","stream":"m","record":{"id":4,"price":1.234,"big":1}}',
  // More digits before the point than numeric(10,2) leaves.
  '{"type":"RECORD","stream":"m","record":{"id":5,"price":100000000,"big":1}}',
];

async function duckdbRows(sql: string, attach?: string): Promise<Array<Record<string, string | null>>> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    if (attach !== undefined) await connection.run(`ATTACH '${attach}' AS w (READ_ONLY)`);
    return (await connection.runAndReadAll(sql))
      .getRowObjectsJS()
      .map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? null : String(value)])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const EXPECTED = [
  { id: "1", price_type: "DECIMAL(10,2)", price: "1234.56", big_type: "DECIMAL(38,9)", big: "12345678901234567890123456789.123456789" },
  { id: "2", price_type: "DECIMAL(10,2)", price: "-0.01", big_type: "DECIMAL(38,9)", big: "-0.000000001" },
  { id: "3", price_type: "DECIMAL(10,2)", price: "99999999.99", big_type: "DECIMAL(38,9)", big: null },
];
const COLUMNS = `id::VARCHAR AS id, typeof(price) AS price_type, price::VARCHAR AS price, typeof(big) AS big_type, big::VARCHAR AS big`;

describe.each([
  [
    "target-duckdb",
    (out: string) => ({ database: join(out, "w.duckdb") }),
    (out: string) => duckdbRows(`SELECT ${COLUMNS} FROM w.m ORDER BY id`, join(out, "w.duckdb")),
  ],
  [
    "target-parquet",
    (out: string) => ({ destination_path: out }),
    (out: string) => duckdbRows(`SELECT ${COLUMNS} FROM read_parquet('${join(out, "m.parquet")}') ORDER BY id`),
  ],
])("%s and numeric(p,s) columns", (name, settings, read) => {
  it.each([
    // Validation refuses them first, by the schema's multipleOf and bounds.
    [true, [/record field \/price is not a multiple of the schema's multipleOf \(got number 1\.234\)/, /record field \/price must be < 100000000/]],
    // Without it, the column does, as each record is encoded.
    [
      false,
      [
        /"price" holds DECIMAL\(10,2\): 1\.234 has more than 2 digit\(s\) after the point/,
        /"price" holds DECIMAL\(10,2\): 100000000 has more than 8 digit\(s\) before the point/,
      ],
    ],
  ])("stores DECIMAL(p,s) with every digit, and dead-letters what it would round or cannot hold (validating: %s)", async (validate, reasons) => {
    const out = join(dir, `${name}-${validate}`);
    const result = await runNode(
      connectorBin(name),
      ["--config", writeJsonIn(dir, `${name}-${validate}.json`, { ...settings(out), validate_records: validate })],
      {
        input: input(schemaLine("m", SCHEMA, ["id"]), ...RECORDS, stateLine(1)),
        env: { AGORA_DEAD_LETTER: "1" },
      },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const letters = result.stdout.split("\n").filter((line) => line.includes('"DEAD_LETTER"'));
    expect(letters.map((line) => (JSON.parse(line) as { error: { message: string } }).error.message)).toEqual(
      reasons.map((reason) => expect.stringMatching(reason)),
    );
    expect(await read(out)).toEqual(EXPECTED);
  });
});

describe("target-duckdb and a DOUBLE column made before decimals", () => {
  it("turns it into the DECIMAL the schema now asks for when every value fits exactly", async () => {
    const out = join(dir, "upgrade");
    const config = writeJsonIn(dir, "upgrade.json", { database: join(out, "w.duckdb") });
    const plain = { id: { type: "integer" }, price: { type: ["null", "number"] } };
    const first = await runNode(connectorBin("target-duckdb"), ["--config", config], {
      input: input(schemaLine("m", plain, ["id"]), '{"type":"RECORD","stream":"m","record":{"id":1,"price":12.5}}', stateLine(1)),
    });
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await runNode(connectorBin("target-duckdb"), ["--config", config], {
      input: input(
        schemaLine("m", { id: SCHEMA.id, price: SCHEMA.price }, ["id"]),
        '{"type":"RECORD","stream":"m","record":{"id":2,"price":0.07}}',
        stateLine(2),
      ),
    });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await duckdbRows(`SELECT id::VARCHAR AS id, typeof(price) AS t, price::VARCHAR AS price FROM w.m ORDER BY id`, join(out, "w.duckdb"))).toEqual([
      { id: "1", t: "DECIMAL(10,2)", price: "12.50" },
      { id: "2", t: "DECIMAL(10,2)", price: "0.07" },
    ]);
  });
});
