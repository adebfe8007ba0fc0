import type { Database, Statement } from "better-sqlite3";
import {
  DataError,
  diffColumns,
  keyedProperties,
  refuseChangedKeys,
  type AgoraError,
  type RecordMessage,
  type StreamInfo,
  quoteIdentifier,
  RECORD_COLUMN,
  VERSION_COLUMN,
} from "../../protocol/index.js";
import { columnKind, encodeValue, type ColumnKind, type SqlType, type SqlValue } from "./column-types.js";
import { storeError } from "./sqlite-errors.js";

interface ExistingColumn {
  readonly name: string;
  readonly type: string;
  readonly pk: number;
}

/**
 * One stream's table: created from the stream's schema, grown when the
 * schema grows, rebuilt (in a transaction) when a column's type changes,
 * and written with one prepared statement: an upsert on the key properties,
 * or a plain insert for a stream without keys.
 */
export class StreamTable {
  private columns: string[] = [];
  private kinds: ColumnKind[] = [];
  private versioned = false;
  /** True when the schema has no properties: each record is stored whole in RECORD_COLUMN. */
  private wholeRecord = false;
  private insert: Statement | undefined;
  private stream: StreamInfo | undefined;

  constructor(
    private readonly db: Database,
    private readonly table: string,
    private readonly file: string,
  ) {}

  /** Makes the table match the stream's schema. Runs inside the caller's transaction or alone. */
  prepare(stream: StreamInfo): void {
    this.stream = stream;
    const properties = keyedProperties(stream);
    const wanted = new Map(Object.entries(properties).map(([name, schema]) => [name, columnKind(schema)]));
    // A schema without properties (valid Singer: any object) is kept whole, as JSON in one column.
    this.wholeRecord = wanted.size === 0;
    if (this.wholeRecord) wanted.set(RECORD_COLUMN, columnKind({ type: "object" }));
    const existing = this.existingColumns();
    if (existing.length === 0) {
      this.create(wanted, stream.keyProperties);
    } else {
      this.evolve(existing, wanted, stream);
    }
    this.versioned = this.existingColumns().some((column) => column.name === VERSION_COLUMN);
    this.columns = [...wanted.keys()];
    this.kinds = [...wanted.values()];
    this.insert = this.db.prepare(this.insertSql(stream.keyProperties));
  }

  /** The values of the row being inserted, reused from row to row. */
  private rowValues: SqlValue[] = [];

  /** Writes records; call inside a transaction. With `reject`, a record that cannot be stored is rejected alone. */
  write(records: readonly RecordMessage[], lines: readonly number[], reject?: (index: number, error: AgoraError) => void): void {
    const stream = this.stream;
    if (stream === undefined || this.insert === undefined) throw new Error(`table ${this.table} used before its schema`);
    for (let index = 0; index < records.length; index += 1) {
      const message = records[index] as RecordMessage;
      if (message.version !== undefined && !this.versioned) this.addVersionColumn();
      const record = message.record;
      // One array for every row: better-sqlite3 binds it before run() returns.
      const width = this.columns.length + (this.versioned ? 1 : 0);
      if (this.rowValues.length !== width) this.rowValues = new Array<SqlValue>(width);
      const values = this.rowValues;
      const refused = this.encodeRow(record, values, stream.name, lines[index] as number);
      if (this.versioned) values[this.columns.length] = message.version ?? null;
      // A record without a key value never comes here: the SDK refuses it for every target (key-properties.ts).
      const problem = refused ?? this.insertRow(values, stream.name, lines[index] as number);
      if (problem === undefined) continue;
      if (reject === undefined || !(problem instanceof DataError)) throw problem;
      reject(index, problem);
    }
  }

  /** Fills `values` with the record's columns; a value no column can hold comes back as the record's error. */
  private encodeRow(record: Readonly<Record<string, unknown>>, values: SqlValue[], stream: string, line: number): DataError | undefined {
    try {
      if (this.wholeRecord) values[0] = encodeValue(record, this.kinds[0] as ColumnKind, RECORD_COLUMN);
      else {
        for (let column = 0; column < this.columns.length; column += 1) {
          const name = this.columns[column] as string;
          // Own fields only: a column named constructor reads the record's, never Object.prototype's.
          values[column] = encodeValue(Object.hasOwn(record, name) ? record[name] : undefined, this.kinds[column] as ColumnKind, name);
        }
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      return error.withLocation({ stream, line, file: this.file });
    }
  }

  /** Inserts one row; a failure comes back as an error naming stream, line and column. */
  private insertRow(values: readonly SqlValue[], stream: string, line: number): AgoraError | undefined {
    try {
      (this.insert as Statement).run(values);
      return undefined;
    } catch (error) {
      return storeError(error, { stream, line, file: this.file });
    }
  }

  /** Removes the rows of versions older than `version` (ACTIVATE_VERSION). */
  activateVersion(version: number): void {
    if (this.existingColumns().length === 0) return;
    if (!this.versioned) this.addVersionColumn();
    this.db
      .prepare(`DELETE FROM ${quoteIdentifier(this.table)} WHERE ${quoteIdentifier(VERSION_COLUMN)} IS NULL OR ${quoteIdentifier(VERSION_COLUMN)} < ?`)
      .run(version);
  }

  private existingColumns(): ExistingColumn[] {
    return this.db.prepare(`PRAGMA table_info(${quoteIdentifier(this.table)})`).all() as ExistingColumn[];
  }

  private create(wanted: Map<string, ColumnKind>, keys: readonly string[], extra: ReadonlyArray<[string, SqlType]> = []): void {
    this.db.exec(this.createSql(this.table, [...[...wanted].map(([name, kind]): [string, SqlType] => [name, kind.sqlType]), ...extra], keys));
  }

  private createSql(table: string, columns: ReadonlyArray<[string, string]>, keys: readonly string[]): string {
    const definitions = columns.map(([name, type]) => `${quoteIdentifier(name)} ${type}`);
    if (keys.length > 0) definitions.push(`PRIMARY KEY (${keys.map(quoteIdentifier).join(", ")})`);
    return `CREATE TABLE ${quoteIdentifier(table)} (${definitions.join(", ")}) STRICT`;
  }

  /** Adds new columns; rebuilds the table when an existing column must change type. */
  private evolve(existing: ExistingColumn[], wanted: Map<string, ColumnKind>, stream: StreamInfo): void {
    const tableKeys = existing
      .filter((column) => column.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((column) => column.name);
    refuseChangedKeys(tableKeys, stream, this.table, { file: this.file });
    const types = new Map([...wanted].map(([name, kind]) => [name, kind.sqlType]));
    const changes = diffColumns(new Map(existing.map((column) => [column.name, column.type])), types, {
      holds: (stored, type) => stored === type || stored === "ANY",
    });
    for (const name of changes.added) {
      this.db.exec(`ALTER TABLE ${quoteIdentifier(this.table)} ADD COLUMN ${quoteIdentifier(name)} ${types.get(name)}`);
    }
    if (changes.retyped.length > 0) this.rebuild(new Map(changes.retyped.map(({ name }) => [name, "ANY"])), stream.keyProperties);
  }

  /** Recreates the table with some columns widened to ANY, keeping every row. */
  private rebuild(retyped: Map<string, SqlType>, keys: readonly string[]): void {
    const columns = this.existingColumns().map((column): [string, string] => [column.name, retyped.get(column.name) ?? column.type]);
    const temporary = `${this.table}__agora_rebuild`;
    const names = columns.map(([name]) => quoteIdentifier(name)).join(", ");
    this.db.transaction(() => {
      this.db.exec(this.createSql(temporary, columns, keys));
      this.db.exec(`INSERT INTO ${quoteIdentifier(temporary)} (${names}) SELECT ${names} FROM ${quoteIdentifier(this.table)}`);
      this.db.exec(`DROP TABLE ${quoteIdentifier(this.table)}`);
      this.db.exec(`ALTER TABLE ${quoteIdentifier(temporary)} RENAME TO ${quoteIdentifier(this.table)}`);
    })();
  }

  private addVersionColumn(): void {
    this.db.exec(`ALTER TABLE ${quoteIdentifier(this.table)} ADD COLUMN ${quoteIdentifier(VERSION_COLUMN)} INTEGER`);
    this.versioned = true;
    if (this.stream !== undefined) this.insert = this.db.prepare(this.insertSql(this.stream.keyProperties));
  }

  private insertSql(keys: readonly string[]): string {
    const columns = [...this.columns, ...(this.versioned ? [VERSION_COLUMN] : [])];
    const sql = `INSERT INTO ${quoteIdentifier(this.table)} (${columns.map(quoteIdentifier).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
    if (keys.length === 0) return sql;
    const updates = columns.filter((name) => !keys.includes(name)).map((name) => `${quoteIdentifier(name)} = excluded.${quoteIdentifier(name)}`);
    return `${sql} ON CONFLICT (${keys.map(quoteIdentifier).join(", ")}) ${updates.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${updates.join(", ")}`}`;
  }
}
