import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { writeJsonIn } from "../../helpers/files.js";
import { recordLine, schemaLine, stateLine } from "../../helpers/messages.js";
import { agora } from "../../helpers/project.js";
import { ITEMS_SCHEMA, killMidStream } from "../../helpers/killed-target.js";
import { postgresUrl } from "../../helpers/postgres.js";
import { connectorBin, jsonLines, runNode, spawnNode, tempDir } from "../../helpers/processes.js";

const url = postgresUrl();
const dir = tempDir("agora-target-postgres-");
const target = connectorBin("target-postgres");

const clients: pg.Client[] = [];
afterAll(async () => {
  for (const client of clients) await client.end();
});

/** A schema of its own for each test, and a client to look into it. */
async function fresh(): Promise<{
  schema: string;
  config: (extra?: Record<string, unknown>) => string;
  query: (sql: string) => Promise<Array<Record<string, unknown>>>;
}> {
  const schema = `tp_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client(url as string);
  await client.connect();
  clients.push(client);
  return {
    schema,
    config: (extra = {}) => writeJsonIn(dir, `${schema}-${randomBytes(3).toString("hex")}.json`, { url, schema, ...extra }),
    query: async (sql) => (await client.query(sql.replaceAll("$schema", `"${schema}"`))).rows as Array<Record<string, unknown>>,
  };
}

const lines = (...items: string[]): string => `${items.join("\n")}\n`;

describe.skipIf(url === undefined)("target-postgres", () => {
  it("reads a timestamp without a zone as UTC, whatever zone the url gives the session", async () => {
    const db = await fresh();
    const inNewYork = new URL(url as string);
    inNewYork.searchParams.set("options", "-c TimeZone=America/New_York");
    const input = lines(
      schemaLine("t", { id: { type: "integer" }, at: { type: "string", format: "date-time" } }, ["id"]),
      recordLine("t", { id: 1, at: "2024-05-01T10:00:00.123456" }),
      stateLine({ n: 1 }),
    );
    const result = await runNode(target, ["--config", writeJsonIn(dir, `${db.schema}-ny.json`, { url: inNewYork.toString(), schema: db.schema })], { input });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await db.query("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS at FROM $schema.t")).toEqual([
      { at: "2024-05-01 10:00:00.123456" },
    ]);
  });

  it("types columns from the schema and stores every value as sent: bigint, exact numeric, boolean, timestamptz, date, jsonb", async () => {
    const db = await fresh();
    const properties = {
      id: { type: "integer" },
      price: { type: "number" },
      paid: { type: ["null", "boolean"] },
      at: { type: "string", format: "date-time" },
      day: { type: "string", format: "date" },
      note: { type: ["null", "string"] },
      address: { type: "object", properties: { city: { type: "string" } } },
      tags: { type: "array", items: { type: "string" } },
      mixed: { type: ["string", "integer"] },
    };
    const input = lines(
      schemaLine("orders", properties, ["id"]),
      recordLine("orders", {
        id: 1,
        price: 1234567.89,
        paid: true,
        at: "2024-05-01T10:00:00Z",
        day: "2024-05-01",
        note: "tab\there, newline\nthere, back\\slash",
        address: { city: "Zürich" },
        tags: ["a", "b"],
        mixed: "x",
      }),
      recordLine("orders", {
        id: 2,
        price: 0.1,
        paid: null,
        at: "2024-05-02T10:00:00.123+02:00",
        day: "2024-05-02",
        note: "",
        address: { city: 'Oslo\t"Nord"\\x' },
        tags: ["line\nbreak"],
        mixed: 7,
      }),
      stateLine({ n: 2 }),
    );
    const result = await runNode(target, ["--config", db.config()], { input });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ n: 2 }]);
    const types = await db.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '" +
        db.schema +
        "' AND table_name = 'orders' ORDER BY ordinal_position",
    );
    expect(types.map((row) => [row["column_name"], row["data_type"]])).toEqual([
      ["id", "bigint"],
      ["price", "numeric"],
      ["paid", "boolean"],
      ["at", "timestamp with time zone"],
      ["day", "date"],
      ["note", "text"],
      ["address", "jsonb"],
      ["tags", "jsonb"],
      ["mixed", "jsonb"],
    ]);
    const rows = await db.query(
      "SELECT id::text, price::text, paid, to_json(at) #>> '{}' AS at, day::text, note, address, tags, mixed FROM $schema.orders ORDER BY id",
    );
    expect(rows).toEqual([
      {
        id: "1",
        price: "1234567.89",
        paid: true,
        at: "2024-05-01T10:00:00+00:00",
        day: "2024-05-01",
        note: "tab\there, newline\nthere, back\\slash",
        address: { city: "Zürich" },
        tags: ["a", "b"],
        mixed: "x",
      },
      {
        id: "2",
        price: "0.1",
        paid: null,
        at: "2024-05-02T08:00:00.123+00:00",
        day: "2024-05-02",
        note: "",
        address: { city: 'Oslo\t"Nord"\\x' },
        tags: ["line\nbreak"],
        mixed: 7,
      },
    ]);
  });

  it("upserts on key properties (the last record of a key wins, within a batch and across runs) and appends without keys, in order", async () => {
    const db = await fresh();
    const keyed = { id: { type: "integer" }, v: { type: "string" } };
    const first = lines(
      schemaLine("keyed", keyed, ["id"]),
      schemaLine("log", { v: { type: "string" } }, []),
      recordLine("keyed", { id: 1, v: "a" }),
      recordLine("keyed", { id: 2, v: "b" }),
      recordLine("keyed", { id: 1, v: "c" }),
      recordLine("log", { v: "x" }),
      recordLine("log", { v: "y" }),
      stateLine({ n: 1 }),
    );
    expect((await runNode(target, ["--config", db.config()], { input: first })).exitCode).toBe(0);
    const second = lines(
      schemaLine("keyed", keyed, ["id"]),
      schemaLine("log", { v: { type: "string" } }, []),
      recordLine("keyed", { id: 2, v: "d" }),
      recordLine("log", { v: "x" }),
      stateLine({ n: 2 }),
    );
    expect((await runNode(target, ["--config", db.config()], { input: second })).exitCode).toBe(0);
    expect(await db.query("SELECT id::int, v FROM $schema.keyed ORDER BY id")).toEqual([
      { id: 1, v: "c" },
      { id: 2, v: "d" },
    ]);
    expect((await db.query("SELECT v FROM $schema.log")).map((row) => row["v"])).toEqual(["x", "y", "x"]);
  });

  it("inserts batches of new keys straight into the table, and merges from the first batch that repeats a key, also after the schema grows", async () => {
    const db = await fresh();
    const keyed = { id: { type: "integer" }, v: { type: "string" } };
    const input = lines(
      schemaLine("t", keyed, ["id"]),
      recordLine("t", { id: 1, v: "a" }),
      recordLine("t", { id: 2, v: "b" }),
      stateLine({ n: 1 }),
      // Batch 2: a new key and one of batch 1 (the direct COPY meets it and is undone).
      recordLine("t", { id: 3, v: "c" }),
      recordLine("t", { id: 1, v: "a2" }),
      // Batch 3, merged: a key twice in the batch (the later wins) and one of an earlier batch.
      recordLine("t", { id: 4, v: "d" }),
      recordLine("t", { id: 4, v: "d2" }),
      schemaLine("t", { ...keyed, w: { type: "boolean" } }, ["id"]),
      recordLine("t", { id: 2, v: "b2", w: true }),
      recordLine("t", { id: 5, v: "e", w: false }),
      stateLine({ n: 2 }),
    );
    const result = await runNode(target, ["--config", db.config({ batch_size_rows: 2 })], { input });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await db.query("SELECT id::int, v, w FROM $schema.t ORDER BY id")).toEqual([
      { id: 1, v: "a2", w: null },
      { id: 2, v: "b2", w: true },
      { id: 3, v: "c", w: null },
      { id: 4, v: "d2", w: null },
      { id: 5, v: "e", w: false },
    ]);
  });

  it("keeps hostile names apart: case, SQL keywords, __proto__ and constructor; refuses streams Postgres would cut to one name", async () => {
    const db = await fresh();
    // Parsed, so __proto__ is an own key (an object literal would set the prototype instead).
    const properties = JSON.parse(
      '{"id":{"type":"integer"},"select":{"type":"string"},"__proto__":{"type":"string"},"constructor":{"type":"string"}}',
    ) as Record<string, unknown>;
    const input = lines(
      schemaLine("Upper", { id: { type: "integer" } }, ["id"]),
      schemaLine("upper", properties, ["id"]),
      recordLine("Upper", { id: 1 }),
      '{"type":"RECORD","stream":"upper","record":{"id":2,"select":"s","__proto__":"p","constructor":"c"}}',
      stateLine({ n: 1 }),
    );
    const result = await runNode(target, ["--config", db.config()], { input });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await db.query('SELECT id::int FROM $schema."Upper"')).toEqual([{ id: 1 }]);
    expect(await db.query('SELECT id::int, "select", "__proto__", "constructor" FROM $schema.upper')).toEqual([
      JSON.parse('{"id":2,"select":"s","__proto__":"p","constructor":"c"}'),
    ]);

    const long = "s".repeat(63);
    const cut = lines(
      schemaLine(`${long}_one`, { id: { type: "integer" } }, ["id"]),
      schemaLine(`${long}_two`, { id: { type: "integer" } }, ["id"]),
      stateLine({ n: 1 }),
    );
    const refused = await runNode(target, ["--config", db.config()], { input: cut });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain(`streams "${long}_one" and "${long}_two" would both be written to the table "${long}_one"`);
  });

  it("keeps apart the staging tables of two streams whose names share their first 49 bytes", async () => {
    const db = await fresh();
    const [a, b] = [`${"n".repeat(49)}_a`, `${"n".repeat(49)}_b`];
    const properties = { id: { type: "integer" }, v: { type: "string" } };
    // The second batch repeats each key: both streams merge through their staging tables, in one transaction.
    const input = lines(
      schemaLine(a, properties, ["id"]),
      schemaLine(b, properties, ["id"]),
      recordLine(a, { id: 1, v: "a1" }),
      recordLine(b, { id: 1, v: "b1" }),
      stateLine({ n: 1 }),
      recordLine(a, { id: 1, v: "a2" }),
      recordLine(b, { id: 1, v: "b2" }),
      stateLine({ n: 2 }),
      recordLine(a, { id: 2, v: "a4" }),
      recordLine(b, { id: 1, v: "b3" }),
      stateLine({ n: 3 }),
    );
    // Two rows a batch: three transactions, the last two merging both streams.
    const result = await runNode(target, ["--config", db.config({ batch_size_rows: 2 })], { input });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await db.query(`SELECT id::int, v FROM $schema."${a}" ORDER BY id`)).toEqual([
      { id: 1, v: "a2" },
      { id: 2, v: "a4" },
    ]);
    expect(await db.query(`SELECT id::int, v FROM $schema."${b}" ORDER BY id`)).toEqual([{ id: 1, v: "b3" }]);
  });

  it("under the runner's dead letters, rejects exactly the rows Postgres refuses among many (every third of 3,000), on the insert and the merge paths", async () => {
    const db = await fresh();
    const properties = { id: { type: "integer" }, v: { type: "string" } };
    const bad = (id: number): boolean => id % 3 === 0;
    const batch = (from: number, v: string): string[] =>
      Array.from({ length: 3000 }, (_, index) => from + index).map((id) => recordLine("items", { id, v: bad(id) ? `nul\u0000${v}` : v }));
    // The first batch takes new keys (COPY straight in); the second repeats them (staging and merge).
    const input = lines(schemaLine("items", properties, ["id"]), ...batch(1, "first"), stateLine({ n: 1 }), ...batch(1, "second"), stateLine({ n: 2 }));
    const result = await runNode(target, ["--config", db.config({ batch_size_rows: 3000 })], { input, env: { AGORA_DEAD_LETTER: "1" } });
    expect(result.exitCode, result.stderr).toBe(0);
    const letters = jsonLines(result.stdout).filter((message) => message["type"] === "DEAD_LETTER");
    const expected = Array.from({ length: 1000 }, (_, index) => 3 * (index + 1));
    expect(letters.map((letter) => (letter["record"] as { id: number }).id)).toEqual([...expected, ...expected]);
    const rows = await db.query("SELECT id::int, v FROM $schema.items ORDER BY id");
    expect(rows).toHaveLength(2000);
    expect(rows.every((row) => !bad(row["id"] as number) && row["v"] === "second")).toBe(true);
  });

  it("refuses in one line a property with an empty name, or one named like a column it writes itself", async () => {
    const db = await fresh();
    for (const [name, said] of [
      ["", "stream items: a property has an empty name, which no Postgres column can have."],
      ["_agora_seq", 'stream items: property "_agora_seq" would be column "_agora_seq", which target-postgres writes itself.'],
      ["_sdc_table_version", 'stream items: property "_sdc_table_version" would be column "_sdc_table_version", which target-postgres writes itself.'],
    ] as const) {
      const input = lines(
        schemaLine("items", { id: { type: "integer" }, [name]: { type: "string" } }, ["id"]),
        recordLine("items", { id: 1, [name]: "x" }),
        stateLine({ n: 1 }),
      );
      const result = await runNode(target, ["--config", db.config()], { input });
      expect(result.exitCode, name).toBe(3);
      expect(result.stderr.trim().split("\n"), name).toHaveLength(1);
      expect(result.stderr, name).toContain(said);
      expect(result.stderr, name).toMatch(/\[COLUMN_NAME_(EMPTY|RESERVED)\]/);
    }
  });

  it("grows the table with the schema, and keeps every value when a column's type changes (as jsonb)", async () => {
    const db = await fresh();
    const input = lines(
      schemaLine("t", { id: { type: "integer" }, n: { type: "integer" } }, ["id"]),
      recordLine("t", { id: 1, n: 5 }),
      schemaLine("t", { id: { type: "integer" }, n: { type: "string" }, extra: { type: "boolean" } }, ["id"]),
      recordLine("t", { id: 2, n: "five", extra: true }),
      stateLine({ n: 1 }),
    );
    const result = await runNode(target, ["--config", db.config()], { input });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await db.query("SELECT id::int, n, extra FROM $schema.t ORDER BY id")).toEqual([
      { id: 1, n: 5, extra: null },
      { id: 2, n: "five", extra: true },
    ]);
  });

  it("a value Postgres refuses fails with one line naming stream, column and line; under the runner's dead letters that record alone is rejected", async () => {
    const db = await fresh();
    const input = lines(
      schemaLine("t", { id: { type: "integer" }, note: { type: "string" } }, ["id"]),
      recordLine("t", { id: 1, note: "fine" }),
      recordLine("t", { id: 2, note: "nul \u0000 byte" }),
      recordLine("t", { id: 100000000000000000000, note: "too big for bigint" }),
      recordLine("t", { id: 4, note: "fine too" }),
      stateLine({ n: 1 }),
    );
    const failed = await runNode(target, ["--config", db.config()], { input });
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stderr).toMatch(
      /target-postgres error: target-postgres, stream t, line 3, field note: Postgres refused the value of column note: invalid byte sequence/,
    );
    expect(failed.stdout).toBe("");
    expect(await db.query("SELECT count(*)::int AS n FROM $schema.t")).toEqual([{ n: 0 }]);

    const rejected = await runNode(target, ["--config", db.config()], { input, env: { AGORA_DEAD_LETTER: "1" } });
    expect(rejected.exitCode, rejected.stderr).toBe(0);
    const output = jsonLines(rejected.stdout);
    expect(
      output
        .filter((line) => line["type"] === "DEAD_LETTER")
        .map((line) => [(line["location"] as { line: number }).line, (line["error"] as { code: string }).code, line["record"]]),
    ).toEqual([
      [3, "POSTGRES_VALUE_REFUSED", { id: 2, note: "nul \u0000 byte" }],
      [4, "POSTGRES_VALUE_REFUSED", { id: 100000000000000000000, note: "too big for bigint" }],
    ]);
    expect(output.at(-1)).toEqual({ n: 1 });
    expect(await db.query("SELECT id::int, note FROM $schema.t ORDER BY id")).toEqual([
      { id: 1, note: "fine" },
      { id: 4, note: "fine too" },
    ]);
  });

  it("ACTIVATE_VERSION leaves only the rows of the new version", async () => {
    const db = await fresh();
    const input = lines(
      schemaLine("t", { id: { type: "integer" } }, ["id"]),
      '{"type":"RECORD","stream":"t","record":{"id":1},"version":1}',
      '{"type":"RECORD","stream":"t","record":{"id":2},"version":1}',
      '{"type":"ACTIVATE_VERSION","stream":"t","version":1}',
      '{"type":"RECORD","stream":"t","record":{"id":2},"version":2}',
      '{"type":"RECORD","stream":"t","record":{"id":3},"version":2}',
      '{"type":"ACTIVATE_VERSION","stream":"t","version":2}',
      stateLine({ n: 1 }),
    );
    expect((await runNode(target, ["--config", db.config()], { input })).exitCode).toBe(0);
    expect(await db.query("SELECT id::int FROM $schema.t ORDER BY id")).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it("a stream whose records start carrying a version mid-batch gets its version column, the records before it a null version", async () => {
    for (const batchSize of [2, 10_000]) {
      const db = await fresh();
      const input = lines(
        schemaLine("t", { id: { type: "integer" }, note: { type: "string" } }, ["id"]),
        recordLine("t", { id: 1, note: "before" }),
        recordLine("t", { id: 2, note: "before" }),
        recordLine("t", { id: 3, note: "tab\there" }),
        '{"type":"RECORD","stream":"t","record":{"id":4,"note":"versioned"},"version":5}',
        recordLine("t", { id: 5, note: "after" }),
        stateLine({ n: 1 }),
      );
      const result = await runNode(target, ["--config", db.config({ batch_size_rows: batchSize })], { input });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await db.query("SELECT id::int, note, _sdc_table_version::int AS version FROM $schema.t ORDER BY id")).toEqual([
        { id: 1, note: "before", version: null },
        { id: 2, note: "before", version: null },
        { id: 3, note: "tab\there", version: null },
        { id: 4, note: "versioned", version: 5 },
        { id: 5, note: "after", version: null },
      ]);
    }
  });

  it("killed with SIGKILL mid-batch, has every record of every STATE it confirmed; sending again from there stores each key exactly once", async () => {
    const db = await fresh();
    const config = db.config({ batch_size_rows: 500, batch_wait_limit_seconds: 0.05 });
    const { lastConfirmed, lastSent: id, signal } = await killMidStream(spawnNode(target, ["--config", config]));
    expect(signal).toBe("SIGKILL");
    const stored = (await db.query("SELECT id::int FROM $schema.items ORDER BY id")).map((row) => row["id"] as number);
    expect(stored.slice(0, lastConfirmed)).toEqual(Array.from({ length: lastConfirmed }, (_, index) => index + 1));

    // The runner resends from the last confirmed STATE (and a tap's inclusive bookmark sends its row again).
    const again = [schemaLine("items", ITEMS_SCHEMA, ["id"])];
    for (let resent = lastConfirmed; resent <= id; resent += 1) again.push(recordLine("items", { id: resent, pad: "y" }));
    again.push(stateLine({ upTo: id }));
    expect((await runNode(target, ["--config", config], { input: lines(...again) })).exitCode).toBe(0);
    expect(
      await db.query("SELECT count(*)::int AS rows, count(DISTINCT id)::int AS keys, min(id)::int AS low, max(id)::int AS high FROM $schema.items"),
    ).toEqual([{ rows: id, keys: id, low: 1, high: id }]);
  });

  it("passes agora test target, read back from Postgres", async () => {
    const db = await fresh();
    const result = await agora(dir, [
      "test",
      "target",
      `${process.execPath} ${target} --config ${db.config()}`,
      "--read",
      `postgres:${url as string}?schema=${db.schema}`,
    ]);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("records_arrived  all");
    expect(result.stdout).toMatch(/\d+ passed, 0 failed/);
  });
});
