import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { RowInserts, RowsSavepoint } from "../../../connectors/target-sqlite/row-inserts.js";

/** A table of `width` INTEGER columns c0…, and the inserts for it. */
function table(width: number): { db: BetterSqlite3.Database; inserts: RowInserts } {
  const db = new BetterSqlite3(":memory:");
  const columns = Array.from({ length: width }, (_, index) => `c${index}`);
  db.exec(`CREATE TABLE t (${columns.map((name) => `${name} INTEGER`).join(", ")}) STRICT`);
  const row = `(${columns.map(() => "?").join(", ")})`;
  const inserts = new RowInserts(db, new RowsSavepoint(db), width, (rows) => `INSERT INTO t VALUES ${Array.from({ length: rows }, () => row).join(", ")}`);
  return { db, inserts };
}

function addRow(inserts: RowInserts, width: number, value: number | string, index: number): ReturnType<RowInserts["add"]> {
  const offset = inserts.offset;
  for (let column = 0; column < width; column += 1) inserts.values[offset + column] = value;
  return inserts.add(index, index + 2);
}

describe("RowInserts", () => {
  it("inserts every row in order: one by one for the first 512, then in statements of 16, the rest one by one at flush", () => {
    const { db, inserts } = table(3);
    db.exec("BEGIN");
    const refused = Array.from({ length: 700 }, (_, index) => addRow(inserts, 3, index, index)).flat();
    expect(refused).toEqual([]);
    // 512 one by one, eleven statements of 16, then 12 waiting for flush.
    expect((db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n).toBe(688);
    expect(inserts.flush()).toEqual([]);
    db.exec("COMMIT");
    expect(db.prepare("SELECT c0, c2 FROM t ORDER BY rowid").all()).toEqual(Array.from({ length: 700 }, (_, index) => ({ c0: index, c2: index })));
  });

  it("takes a batch that fills two statements in statements of 16 from its first row, and a smaller one row by row", () => {
    const { db, inserts } = table(3);
    const count = (): number => (db.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    db.exec("BEGIN");
    inserts.expect(31);
    Array.from({ length: 31 }, (_, index) => addRow(inserts, 3, index, index));
    // Below two statements' worth: every row went in as it came.
    expect(count()).toBe(31);
    inserts.expect(40);
    Array.from({ length: 40 }, (_, index) => addRow(inserts, 3, 31 + index, 31 + index));
    // Two statements of 16; 8 rows wait for flush.
    expect(count()).toBe(63);
    expect(inserts.flush()).toEqual([]);
    db.exec("COMMIT");
    expect(db.prepare("SELECT c0 FROM t ORDER BY rowid").all()).toEqual(Array.from({ length: 71 }, (_, index) => ({ c0: index })));
  });

  it("takes a table too wide for two rows in a statement one row at a time", () => {
    const { db, inserts } = table(1_200);
    db.exec("BEGIN");
    expect([...Array.from({ length: 600 }, (_, index) => addRow(inserts, 1_200, index, index)).flat(), ...inserts.flush()]).toEqual([]);
    db.exec("COMMIT");
    expect(db.prepare("SELECT c0, c1199 FROM t ORDER BY rowid").all()).toEqual(Array.from({ length: 600 }, (_, index) => ({ c0: index, c1199: index })));
  });

  it("names only the refused row of a failed statement, by its index and line, and keeps the others", () => {
    const { db, inserts } = table(2);
    db.exec("BEGIN");
    // 512 rows one by one, then a statement of 16 whose eighth row (index 519) is refused.
    const refused = Array.from({ length: 576 }, (_, index) => addRow(inserts, 2, index === 519 ? "bad" : index, index)).flat();
    db.exec("COMMIT");
    expect(refused.map((row) => [row.index, row.line, (row.error as { code?: string }).code])).toEqual([[519, 521, "SQLITE_CONSTRAINT_DATATYPE"]]);
    expect(db.prepare("SELECT c0 FROM t ORDER BY rowid").all()).toEqual(
      Array.from({ length: 576 }, (_, index) => ({ c0: index })).filter((row) => row.c0 !== 519),
    );
  });
});
