import type { Database, Statement } from "better-sqlite3";
import type { SqlValue } from "./column-types.js";

/**
 * Most rows one statement inserts: past 16, a wider statement saves nothing
 * measurable (100 tables of 1,024 rows each: 192–199 ms at 16 rows a
 * statement, 196–212 ms at 64, 425–501 ms one by one), and costs more to
 * prepare.
 */
const MOST_ROWS = 16;
/** The fewest bound parameters any SQLite build takes in one statement (SQLITE_MAX_VARIABLE_NUMBER before 3.32). */
const MOST_PARAMETERS = 999;
/**
 * Rows a table takes one by one before its many-row statement is prepared,
 * unless a batch brings it enough rows at once (expect): a table that gets
 * a few rows at a time would pay the statement's preparing for nothing.
 */
const MANY_AFTER_ROWS = 512;

/** A row the database refused: the caller's index and line for it, and the database's error. */
export interface RefusedRow {
  readonly index: number;
  readonly line: number;
  readonly error: unknown;
}

const NONE: readonly RefusedRow[] = [];

/**
 * The savepoint around each many-row statement, prepared once for all the
 * tables of a database: SQLite can leave a failed statement applied up to
 * the failing row (a STRICT column's type check does), so it is undone here.
 */
export class RowsSavepoint {
  readonly open: Statement;
  readonly release: Statement;
  readonly rollback: Statement;

  constructor(db: Database) {
    this.open = db.prepare("SAVEPOINT agora_rows");
    this.release = db.prepare("RELEASE agora_rows");
    this.rollback = db.prepare("ROLLBACK TO agora_rows");
  }
}

/**
 * A table's rows inserted many to a statement once it has taken
 * MANY_AFTER_ROWS: one run of a statement of 64 rows costs a third less
 * than 64 runs of a one-row statement (better-sqlite3 binds and steps
 * once). The caller writes each row's values into `values` at `offset` and
 * calls `add`; the rows of an unfilled statement go in one by one at `flush`.
 *
 * When a many-row statement fails, it is undone to its savepoint and its
 * rows are inserted again one by one, so the refused row is found and the
 * others kept.
 */
export class RowInserts {
  private buffer: SqlValue[];
  private rowsPerStatement = 1;
  private many: Statement | undefined;
  private readonly one: Statement;
  private readonly indexes: number[] = [];
  private readonly lines: number[] = [];
  private count = 0;
  private rowsTaken = 0;

  /** `sql(rows)` is the insert statement for `rows` rows of `width` values each. */
  constructor(
    private readonly db: Database,
    private readonly savepoint: RowsSavepoint,
    private readonly width: number,
    private readonly sql: (rows: number) => string,
  ) {
    this.one = db.prepare(sql(1));
    this.buffer = new Array<SqlValue>(width);
  }

  /** The values of the rows waiting for a statement, `width` per row. */
  get values(): SqlValue[] {
    return this.buffer;
  }

  /** Where the next row's values go in `values`. */
  get offset(): number {
    return this.count * this.width;
  }

  /**
   * `rows` rows are about to be added: the many-row statement is prepared
   * now when they fill it twice (2,000 tables of 50 rows a batch: 266–298 ms
   * with 10-row statements prepared for each, 413–442 ms one row at a time).
   */
  expect(rows: number): void {
    if (this.many === undefined && rows >= 2 * MOST_ROWS) this.prepareMany();
  }

  /** The row at `offset` is complete; comes back with the rows refused when this filled a statement. */
  add(index: number, line: number): readonly RefusedRow[] {
    this.indexes[this.count] = index;
    this.lines[this.count] = line;
    this.count += 1;
    if (this.count < this.rowsPerStatement) return NONE;
    this.count = 0;
    if (this.many === undefined) {
      const refused = this.insertOneByOne(1);
      this.rowsTaken += 1;
      if (this.rowsTaken === MANY_AFTER_ROWS) this.prepareMany();
      return refused;
    }
    this.savepoint.open.run();
    try {
      this.many.run(this.buffer);
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

  private prepareMany(): void {
    const rows = Math.min(MOST_ROWS, Math.floor(MOST_PARAMETERS / Math.max(1, this.width)));
    if (rows < 2) return;
    this.many = this.db.prepare(this.sql(rows));
    this.rowsPerStatement = rows;
    this.buffer = new Array<SqlValue>(rows * this.width);
  }

  private insertOneByOne(rows: number): readonly RefusedRow[] {
    if (rows === 1 && this.many === undefined) return this.insertRow(this.buffer, 0);
    const refused: RefusedRow[] = [];
    const row = new Array<SqlValue>(this.width);
    for (let index = 0; index < rows; index += 1) {
      for (let column = 0; column < this.width; column += 1) row[column] = this.buffer[index * this.width + column] as SqlValue;
      refused.push(...this.insertRow(row, index));
    }
    return refused;
  }

  /** Inserts one row of values; the row at `slot` of this statement's rows names it when refused. */
  private insertRow(row: readonly SqlValue[], slot: number): readonly RefusedRow[] {
    try {
      this.one.run(row);
      return NONE;
    } catch (error) {
      if (!this.db.inTransaction) throw error;
      return [{ index: this.indexes[slot] as number, line: this.lines[slot] as number, error }];
    }
  }
}
