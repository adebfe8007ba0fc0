import type { Database, Statement } from "better-sqlite3";
import type { SqlValue } from "./column-types.js";

/** Most rows one statement inserts: past 64, a wider statement saves no more (500,000 rows of the bench input). */
const MOST_ROWS = 64;
/** The fewest bound parameters any SQLite build takes in one statement (SQLITE_MAX_VARIABLE_NUMBER before 3.32). */
const MOST_PARAMETERS = 999;

/** A row the database refused: the caller's index and line for it, and the database's error. */
export interface RefusedRow {
  readonly index: number;
  readonly line: number;
  readonly error: unknown;
}

const NONE: readonly RefusedRow[] = [];

/**
 * Rows inserted many to a statement: one run of a statement of 64 rows
 * costs a third less than 64 runs of a one-row statement (better-sqlite3
 * binds and steps once). The caller writes each row's values into `values`
 * at `offset` and calls `add`; the rows of an unfilled statement go in one
 * by one at `flush`.
 *
 * When a many-row statement fails, it is undone to its savepoint and its
 * rows are inserted again one by one, so the refused row is found and the
 * others kept.
 */
export class RowInserts {
  /** The values of the rows waiting for a statement, `width` per row. */
  readonly values: SqlValue[];
  private readonly rowsPerStatement: number;
  private readonly many: Statement | undefined;
  private readonly one: Statement;
  /** Around each many-row statement: SQLite can leave a failed one applied up to the failing row (a STRICT column's type check). */
  private readonly savepoint: { readonly open: Statement; readonly release: Statement; readonly rollback: Statement };
  private readonly indexes: number[] = [];
  private readonly lines: number[] = [];
  private count = 0;

  /** `sql(rows)` is the insert statement for `rows` rows of `width` values each. */
  constructor(
    private readonly db: Database,
    private readonly width: number,
    sql: (rows: number) => string,
  ) {
    this.rowsPerStatement = Math.max(1, Math.min(MOST_ROWS, Math.floor(MOST_PARAMETERS / Math.max(1, width))));
    this.one = db.prepare(sql(1));
    this.many = this.rowsPerStatement > 1 ? db.prepare(sql(this.rowsPerStatement)) : undefined;
    this.values = new Array<SqlValue>(this.rowsPerStatement * width);
    this.savepoint = {
      open: db.prepare("SAVEPOINT agora_rows"),
      release: db.prepare("RELEASE agora_rows"),
      rollback: db.prepare("ROLLBACK TO agora_rows"),
    };
  }

  /** Where the next row's values go in `values`. */
  get offset(): number {
    return this.count * this.width;
  }

  /** The row at `offset` is complete; comes back with the rows refused when this filled a statement. */
  add(index: number, line: number): readonly RefusedRow[] {
    this.indexes[this.count] = index;
    this.lines[this.count] = line;
    this.count += 1;
    if (this.count < this.rowsPerStatement) return NONE;
    this.count = 0;
    if (this.many === undefined) return this.insertOneByOne(1);
    this.savepoint.open.run();
    try {
      this.many.run(this.values);
      this.savepoint.release.run();
      return NONE;
    } catch (error) {
      // A failure that ended the transaction (a full disk, an I/O error) must not be followed by rows outside it.
      if (!this.db.inTransaction) throw error;
      this.savepoint.rollback.run();
      this.savepoint.release.run();
      return this.insertOneByOne(this.rowsPerStatement);
    }
  }

  /** Inserts the rows added since the last statement; comes back with those refused. */
  flush(): readonly RefusedRow[] {
    const rows = this.count;
    this.count = 0;
    return rows === 0 ? NONE : this.insertOneByOne(rows);
  }

  private insertOneByOne(rows: number): readonly RefusedRow[] {
    const refused: RefusedRow[] = [];
    const row = new Array<SqlValue>(this.width);
    for (let index = 0; index < rows; index += 1) {
      for (let column = 0; column < this.width; column += 1) row[column] = this.values[index * this.width + column] as SqlValue;
      try {
        this.one.run(row);
      } catch (error) {
        if (!this.db.inTransaction) throw error;
        refused.push({ index: this.indexes[index] as number, line: this.lines[index] as number, error });
      }
    }
    return refused;
  }
}
