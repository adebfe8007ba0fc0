import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { sqliteProblem } from "../../../../protocol/index.js";
import { tempDir } from "../../../helpers/processes.js";

function failureOf(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error("it did not fail");
}

describe("sqliteProblem", () => {
  const dir = tempDir();

  it("tells what SQLite says of the file, and of a value, apart", () => {
    const notDb = join(dir, "not.db");
    writeFileSync(notDb, "this is not a database, but long enough to have a header of a sort.".repeat(10));
    expect(sqliteProblem(failureOf(() => new Database(notDb).prepare("SELECT * FROM t").all()))).toMatchObject({
      kind: "not-a-database",
      code: "SQLITE_NOTADB",
    });
    expect(sqliteProblem(failureOf(() => new Database(dir).prepare("SELECT 1").all()))).toMatchObject({ kind: "cannot-open", code: "SQLITE_CANTOPEN" });

    const db = new Database(join(dir, "t.db"));
    db.exec("CREATE TABLE t (n INTEGER) STRICT; CREATE TABLE k (id INTEGER PRIMARY KEY)");
    expect(sqliteProblem(failureOf(() => db.prepare("INSERT INTO t VALUES (?)").run("x")))).toMatchObject({
      kind: "type-mismatch",
      code: "SQLITE_CONSTRAINT_DATATYPE",
    });
    expect(sqliteProblem(failureOf(() => db.prepare("INSERT INTO k VALUES (?)").run("x")))).toMatchObject({ kind: "type-mismatch", code: "SQLITE_MISMATCH" });
    expect(sqliteProblem(failureOf(() => db.prepare("SELECT * FROM nowhere").all()))).toMatchObject({ kind: "sqlite-error", code: "SQLITE_ERROR" });

    const other = new Database(join(dir, "t.db"), { timeout: 0 });
    db.exec("BEGIN EXCLUSIVE");
    expect(sqliteProblem(failureOf(() => other.prepare("SELECT * FROM t").all()))).toMatchObject({ kind: "busy", code: "SQLITE_BUSY" });
    db.exec("COMMIT");

    const readOnly = new Database(join(dir, "t.db"), { readonly: true });
    expect(sqliteProblem(failureOf(() => readOnly.exec("INSERT INTO t VALUES (1)")))).toMatchObject({ kind: "read-only", code: "SQLITE_READONLY" });
    expect(sqliteProblem(new RangeError("not SQLite's"))).toMatchObject({ kind: "not-sqlite" });
  });

  it("reads an extended code by its primary one", () => {
    expect(sqliteProblem(Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" })).kind).toBe("io");
    expect(sqliteProblem(Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY_SNAPSHOT" })).kind).toBe("busy");
  });
});
