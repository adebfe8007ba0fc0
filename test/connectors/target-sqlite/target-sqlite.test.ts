import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { query, tableRows, writeIn, writeJsonIn } from "../../helpers/files.js";
import { activateLine, input, recordLine, schemaLine, stateLine } from "../../helpers/messages.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

const target = connectorBin("target-sqlite");
const dir = tempDir();
let databases = 0;

function newDatabase(settings: Record<string, unknown> = {}): { config: string; database: string } {
  databases += 1;
  const database = join(dir, `db-${databases}`, "out.db");
  return { database, config: writeJsonIn(dir, `t-${databases}.json`, { database, ...settings }) };
}

const USER = {
  id: { type: "integer" },
  name: { type: ["null", "string"] },
  score: { type: ["null", "number"] },
  vip: { type: ["null", "boolean"] },
  tags: { type: ["null", "array"] },
  address: { type: ["null", "object"] },
};

describe("target-sqlite", () => {
  it("creates a STRICT table from the schema and stores each type faithfully", async () => {
    const { config, database } = newDatabase();
    const result = await runNode(target, ["--config", config], {
      input: input(
        schemaLine("users", USER, ["id"]),
        recordLine("users", { id: 1, name: "Ann ü🎁", score: 1.5, vip: true, tags: ["a"], address: { zip: "007" } }),
        recordLine("users", { id: 2, name: null, vip: false }),
        stateLine({ n: 2 }),
      ),
    });
    expect(result.exitCode).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ n: 2 }]);
    expect(tableRows(database, "users")).toEqual([
      { id: 1, name: "Ann ü🎁", score: 1.5, vip: 1, tags: '["a"]', address: '{"zip":"007"}' },
      { id: 2, name: null, score: null, vip: 0, tags: null, address: null },
    ]);
    expect(query(database, "SELECT sql FROM sqlite_master WHERE name = 'users'")[0]?.["sql"]).toMatch(/PRIMARY KEY \("id"\)\) STRICT$/);
    expect(query(database, "PRAGMA journal_mode")[0]).toEqual({ journal_mode: "wal" });
  });

  it("upserts on key properties, across batches and runs", async () => {
    const { config, database } = newDatabase({ batch_size_rows: 2 });
    const schema = schemaLine("users", USER, ["id"]);
    await runNode(target, ["--config", config], {
      input: input(schema, recordLine("users", { id: 1, name: "a" }), recordLine("users", { id: 2, name: "b" }), recordLine("users", { id: 1, name: "a2" })),
    });
    await runNode(target, ["--config", config], {
      input: input(schema, recordLine("users", { id: 2, name: "b2" }), recordLine("users", { id: 3, name: "c" })),
    });
    expect(tableRows(database, "users", "id").map((row) => [row["id"], row["name"]])).toEqual([
      [1, "a2"],
      [2, "b2"],
      [3, "c"],
    ]);
  });

  it("appends rows of a stream without key properties", async () => {
    const { config, database } = newDatabase();
    const schema = schemaLine("events", { kind: { type: "string" } });
    await runNode(target, ["--config", config], { input: input(schema, recordLine("events", { kind: "a" }), recordLine("events", { kind: "a" })) });
    expect(tableRows(database, "events")).toHaveLength(2);
  });

  it("adds columns when the schema grows, and widens a column whose type changes", async () => {
    const { config, database } = newDatabase();
    const result = await runNode(target, ["--config", config], {
      input: input(
        schemaLine("items", { id: { type: "integer" }, code: { type: "integer" } }, ["id"]),
        recordLine("items", { id: 1, code: 7 }),
        schemaLine("items", { id: { type: "integer" }, code: { type: "integer" }, color: { type: "string" } }, ["id"]),
        recordLine("items", { id: 2, code: 8, color: "red" }),
        schemaLine("items", { id: { type: "integer" }, code: { type: "string" }, color: { type: "string" } }, ["id"]),
        recordLine("items", { id: 3, code: "X-9", color: "blue" }),
      ),
    });
    expect(result.exitCode).toBe(0);
    expect(tableRows(database, "items", "id")).toEqual([
      { id: 1, code: 7, color: null },
      { id: 2, code: 8, color: "red" },
      { id: 3, code: "X-9", color: "blue" },
    ]);
    expect(query(database, "SELECT name, type FROM pragma_table_info('items')")).toEqual([
      { name: "id", type: "INTEGER" },
      { name: "code", type: "ANY" },
      { name: "color", type: "TEXT" },
    ]);
  });

  it("grows the table an earlier run made, whatever the case its stream's name had then", async () => {
    const { config, database } = newDatabase({ table_prefix: "raw_" });
    const first = await runNode(target, ["--config", config], {
      input: input(schemaLine("Orders", { id: { type: "integer" }, total: { type: "string" } }, ["id"]), recordLine("Orders", { id: 1, total: "9.50" })),
    });
    expect(first.exitCode).toBe(0);
    // SQLite names ignore ASCII case: raw_ORDERS is the table raw_Orders, which gains a column.
    const second = await runNode(target, ["--config", config], {
      input: input(
        schemaLine("ORDERS", { id: { type: "integer" }, total: { type: "string" }, note: { type: ["null", "string"] } }, ["id"]),
        recordLine("ORDERS", { id: 2, total: "3.25", note: "gift" }),
      ),
    });
    expect(second.exitCode).toBe(0);
    expect(query(database, "SELECT name FROM sqlite_schema WHERE type = 'table'")).toEqual([{ name: "raw_Orders" }]);
    expect(tableRows(database, "raw_Orders", "id")).toEqual([
      { id: 1, total: "9.50", note: null },
      { id: 2, total: "3.25", note: "gift" },
    ]);
  });

  it("keeps only the activated version's rows on ACTIVATE_VERSION", async () => {
    const { config, database } = newDatabase();
    const schema = schemaLine("t", { id: { type: "integer" } }, ["id"]);
    await runNode(target, ["--config", config], { input: input(schema, recordLine("t", { id: 1 }, 1), recordLine("t", { id: 2 }, 1), activateLine("t", 1)) });
    const result = await runNode(target, ["--config", config], {
      input: input(schema, recordLine("t", { id: 2 }, 2), recordLine("t", { id: 3 }, 2), activateLine("t", 2), stateLine("v2")),
    });
    expect(result.exitCode).toBe(0);
    expect(tableRows(database, "t", "id")).toEqual([
      { id: 2, _sdc_table_version: 2 },
      { id: 3, _sdc_table_version: 2 },
    ]);
    expect(JSON.parse((await runNode(target, ["--about"])).stdout)).toMatchObject({ capabilities: expect.arrayContaining(["activate-version"]) as unknown });
  });

  it("fails clearly on a value its column cannot store, confirming nothing from that batch", async () => {
    const { config, database } = newDatabase({ validate_records: false, batch_size_rows: 2 });
    const result = await runNode(target, ["--config", config], {
      input: input(
        schemaLine("t", { id: { type: "integer" }, n: { type: "integer" } }, ["id"]),
        recordLine("t", { id: 1, n: 1 }),
        recordLine("t", { id: 2, n: 2 }),
        stateLine("two"),
        recordLine("t", { id: 3, n: 3 }),
        recordLine("t", { id: 4, n: "four" }),
        stateLine("four"),
      ),
    });
    expect(result.exitCode).toBe(1);
    expect(jsonLines(result.stdout)).toEqual(["two"]);
    expect(result.stderr.trim()).toBe(
      `target-sqlite error: target-sqlite, stream t, ${database}, line 6, field n: cannot store a text value in INTEGER column n. The record does not match its schema: fix the value, or the schema (turn validate_records on to catch this earlier). [SQLITE_TYPE_MISMATCH]`,
    );
    expect(tableRows(database, "t").map((row) => row["id"])).toEqual([1, 2]);
  });

  it("names the one bad record among many inserted together, and rejects it alone under the runner's dead letters", async () => {
    const records = Array.from({ length: 100 }, (_, index) => recordLine("t", { id: index + 1, n: index === 69 ? "seventy" : index + 1 }));
    const lines = input(schemaLine("t", { id: { type: "integer" }, n: { type: "integer" } }, ["id"]), ...records, stateLine("all"));
    const failing = newDatabase({ validate_records: false });
    const failed = await runNode(target, ["--config", failing.config], { input: lines });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("line 71, field n: cannot store a text value in INTEGER column n");
    expect(tableRows(failing.database, "t")).toEqual([]);

    const rejecting = newDatabase({ validate_records: false });
    const rejected = await runNode(target, ["--config", rejecting.config], { input: lines, env: { AGORA_DEAD_LETTER: "1" } });
    expect(rejected.exitCode, rejected.stderr).toBe(0);
    expect(
      jsonLines(rejected.stdout).filter((line) => typeof line === "object" && line !== null && (line as Record<string, unknown>)["type"] === "DEAD_LETTER"),
    ).toHaveLength(1);
    expect(tableRows(rejecting.database, "t").map((row) => row["id"])).toEqual(Array.from({ length: 100 }, (_, index) => index + 1).filter((id) => id !== 70));
  });

  it("keeps the last of each key's rows and only the refused ones out when a statement of many rows meets a bad value", async () => {
    // 512 rows go in one by one (keys 1000…), then statements of 64 rows: the first of those names keys 1..32 twice
    // each; record 552 (key 9's second row) and record 612 are bad.
    const records = Array.from({ length: 642 }, (_, index) => {
      const id = index < 512 ? 1_000 + index : index < 576 ? ((index - 512) % 32) + 1 : index + 1;
      return recordLine("t", { id, n: index === 552 || index === 612 ? "bad" : index });
    });
    const lines = input(schemaLine("t", { id: { type: "integer" }, n: { type: "integer" } }, ["id"]), ...records, stateLine("all"));
    const expected = [
      ...Array.from({ length: 32 }, (_, index) => ({ id: index + 1, n: index + 1 === 9 ? 520 : index + 544 })),
      ...Array.from({ length: 66 }, (_, index) => ({ id: index + 577, n: index + 576 })).filter((row) => row.id !== 613),
      ...Array.from({ length: 512 }, (_, index) => ({ id: 1_000 + index, n: index })),
    ];

    const rejecting = newDatabase({ validate_records: false });
    const rejected = await runNode(target, ["--config", rejecting.config], { input: lines, env: { AGORA_DEAD_LETTER: "1" } });
    expect(rejected.exitCode, rejected.stderr).toBe(0);
    const deadLetters = jsonLines(rejected.stdout).filter(
      (line): line is Record<string, unknown> => typeof line === "object" && line !== null && (line as Record<string, unknown>)["type"] === "DEAD_LETTER",
    );
    expect(deadLetters.map((letter) => [(letter["record"] as Record<string, unknown>)["id"], (letter["location"] as Record<string, unknown>)["line"]])).toEqual(
      [
        [9, 554],
        [613, 614],
      ],
    );
    expect(tableRows(rejecting.database, "t", "id")).toEqual(expected);

    const failing = newDatabase({ validate_records: false });
    const failed = await runNode(target, ["--config", failing.config], { input: lines });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("line 554, field n: cannot store a text value in INTEGER column n");
    expect(tableRows(failing.database, "t")).toEqual([]);
  });

  it("fails clearly on a null key", async () => {
    const { config } = newDatabase({ validate_records: false });
    const result = await runNode(target, ["--config", config], {
      input: input(schemaLine("t", { id: { type: ["null", "integer"] } }, ["id"]), recordLine("t", { id: null })),
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("stream t");
    expect(result.stderr).toContain("line 2, field id: key property id is null or missing");
  });

  it("names an unwritable database path", async () => {
    const blocker = writeIn(dir, "not-a-dir", "");
    const config = writeJsonIn(dir, "unwritable.json", { database: join(blocker, "x.db") });
    for (const args of [
      ["--config", config, "--test_connection"],
      ["--config", config],
    ]) {
      const result = await runNode(target, args, { input: "" });
      expect(result.exitCode).toBe(1);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(`${blocker}/x.db: cannot create the database's directory`);
    }
  });

  /** SCHEMAs of `count` streams s0… (an id and a note), the ones in `grown` with a total too. */
  const manySchemas = (count: number, grown: readonly number[] = []): string[] =>
    Array.from({ length: count }, (_, index) =>
      schemaLine(`s${index}`, { id: { type: "integer" }, note: { type: "string" }, ...(grown.includes(index) ? { total: { type: "string" } } : {}) }, ["id"]),
    );

  it("makes the tables of hundreds of new streams beside the records, and reports one it could not make in one line, confirming nothing", async () => {
    const { config, database } = newDatabase({ busy_timeout_ms: 200 });
    mkdirSync(dirname(database), { recursive: true });
    // Another writer (Python's sqlite3) holds the write lock, in WAL mode, until told to let go.
    const holder = spawn("python3", [
      "-c",
      `import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()`,
      database,
    ]);
    const [first] = (await once(createInterface({ input: holder.stdout }), "line")) as [string];
    expect(first).toBe("locked");
    const messages = input(...manySchemas(600), recordLine("s599", { id: 1, note: "last" }), stateLine({ n: 1 }));
    const result = await runNode(target, ["--config", config], { input: messages });
    holder.stdin.end();
    await once(holder, "close");
    expect(result.exitCode).not.toBe(0);
    expect(jsonLines(result.stdout)).toEqual([]);
    expect(result.stderr.trim().split("\n")).toEqual([
      `target-sqlite error: target-sqlite, ${database}: cannot create the tables of 600 stream(s): database is locked (SQLITE_BUSY). Another connection held the database's write lock for longer than busy_timeout_ms: stop it, or raise busy_timeout_ms, and run again. [DATABASE_ERROR]`,
    ]);
    // Once the lock is gone, a run makes every table and writes the record.
    const again = await runNode(target, ["--config", config], { input: messages });
    expect(jsonLines(again.stdout)).toEqual([{ n: 1 }]);
    expect(query(database, "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'")).toEqual([{ n: 600 }]);
    expect(tableRows(database, "s599")).toEqual([{ id: 1, note: "last" }]);
  });

  it("grows, among hundreds of new tables, the one an earlier run made", async () => {
    const { config, database } = newDatabase();
    await runNode(target, ["--config", config], { input: input(...manySchemas(8), recordLine("s7", { id: 1, note: "before" })) });
    const result = await runNode(target, ["--config", config], {
      input: input(...manySchemas(600, [7]), recordLine("s7", { id: 2, note: "after", total: "9.50" }), stateLine({ n: 2 })),
    });
    expect(jsonLines(result.stdout)).toEqual([{ n: 2 }]);
    expect(tableRows(database, "s7", "id")).toEqual([
      { id: 1, note: "before", total: null },
      { id: 2, note: "after", total: "9.50" },
    ]);
    expect(query(database, "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'")).toEqual([{ n: 600 }]);
  });

  it.each([1, 600])("grows a new table whose stream's schema changed again before its first record (%i streams)", async (count) => {
    const { config, database } = newDatabase();
    const result = await runNode(target, ["--config", config], {
      input: input(...manySchemas(count), ...manySchemas(count, [0]), recordLine("s0", { id: 1, note: "n", total: "9.50" }), stateLine({ n: 1 })),
    });
    expect(result.exitCode).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ n: 1 }]);
    expect(tableRows(database, "s0")).toEqual([{ id: 1, note: "n", total: "9.50" }]);
  });
});
