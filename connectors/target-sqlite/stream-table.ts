import type { Database } from "better-sqlite3";
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
import { type RefusedRow, RowInserts, type RowsSavepoint } from "./row-inserts.js";
import { storeError } from "./sqlite-errors.js";

interface ExistingColumn {
  readonly name: string;
  readonly type: string;
  readonly pk: number;
}

/**
 * One stream's table: created from the stream's schema, grown when the
 * schema grows, rebuilt (in a transaction) when a column's type changes,
 * and written with prepared statements of many rows (RowInserts): an upsert
 * on the key properties, or a plain insert for a stream without keys.
 */
export class StreamTable {
  private columns: string[] = [];
  private kinds: ColumnKind[] = [];
  private versioned = false;
  /** True when the schema has no properties: each record is stored whole in RECORD_COLUMN. */
  private wholeRecord = false;
  private inserts: RowInserts | undefined;
  private stream: StreamInfo | undefined;

  constructor(
    private readonly db: Database,
    private readonly table: string,
    private readonly file: string,
    private readonly savepoint: RowsSavepoint,
  ) {}

  /**
   * Makes the table match the stream's schema. Runs inside the caller's
   * transaction or alone. `exists` false (the caller listed the database's
   * tables) saves asking SQLite for the columns of a table it has not.
   */
  prepare(stream: StreamInfo, exists = true): void {
    const wanted = wantedColumns(stream);
    const existing = exists ? this.existingColumns() : [];
    if (existing.length === 0) {
      // A new table has the schema's columns and no others: asking SQLite again was 2,000 PRAGMAs for 2,000 new tables.
      this.db.exec(StreamTable.creationSql(this.table, stream));
      this.adopt(stream);
      return;
    }
    this.evolve(existing, wanted, stream);
    this.versioned = this.existingColumns().some((column) => column.name === VERSION_COLUMN);
    this.use(stream, wanted);
  }

  /** The CREATE TABLE statement of a new table for the stream (run elsewhere, then `adopt`ed). */
  static creationSql(table: string, stream: StreamInfo): string {
    return createSql(
      table,
      [...wantedColumns(stream)].map(([name, kind]): [string, SqlType] => [name, kind.sqlType]),
      stream.keyProperties,
    );
  }

  /** Takes the table as made by creationSql for the stream: its columns and no others. */
  adopt(stream: StreamInfo): void {
    const wanted = wantedColumns(stream);
    this.versioned = wanted.has(VERSION_COLUMN);
    this.use(stream, wanted);
  }

  private use(stream: StreamInfo, wanted: Map<string, ColumnKind>): void {
    this.stream = stream;
    this.wholeRecord = Object.keys(keyedProperties(stream)).length === 0;
    this.columns = [...wanted.keys()];
    this.kinds = [...wanted.values()];
    this.inserts = this.rowInserts(stream.keyProperties);
  }

  /** Writes records; call inside a transaction. With `reject`, a record that cannot be stored is rejected alone. */
  write(records: readonly RecordMessage[], lines: readonly number[], reject?: (index: number, error: AgoraError) => void): void {
    const stream = this.stream;
    if (stream === undefined || this.inserts === undefined) throw new Error(`table ${this.table} used before its schema`);
    this.inserts.expect(records.length);
    for (let index = 0; index < records.length; index += 1) {
      const message = records[index] as RecordMessage;
      if (message.version !== undefined && !this.versioned) {
        this.refuse(this.inserts.flush(), reject);
        this.addVersionColumn();
      }
      const inserts = this.inserts;
      const line = lines[index] as number;
      const offset = inserts.offset;
      const refused = this.encodeRow(message.record, inserts.values, offset, stream.name, line);
      if (refused !== undefined) {
        if (reject === undefined) throw refused;
        reject(index, refused);
        continue;
      }
      if (this.versioned) inserts.values[offset + this.columns.length] = message.version ?? null;
      // A record without a key value never comes here: the SDK refuses it for every target (key-properties.ts).
      this.refuse(inserts.add(index, line), reject);
    }
    this.refuse(this.inserts.flush(), reject);
  }

  /** Rejects the rows the database refused, or throws the first refusal when records cannot be rejected or the failure is not the record's. */
  private refuse(rows: readonly RefusedRow[], reject: ((index: number, error: AgoraError) => void) | undefined): void {
    for (const row of rows) {
      const problem = storeError(row.error, { stream: (this.stream as StreamInfo).name, line: row.line, file: this.file });
      if (reject === undefined || !(problem instanceof DataError)) throw problem;
      reject(row.index, problem);
    }
  }

  /** Writes the record's columns into `values` from `offset`; a value no column can hold comes back as the record's error. */
  private encodeRow(record: Readonly<Record<string, unknown>>, values: SqlValue[], offset: number, stream: string, line: number): DataError | undefined {
    try {
      if (this.wholeRecord) values[offset] = encodeValue(record, this.kinds[0] as ColumnKind, RECORD_COLUMN);
      else {
        for (let column = 0; column < this.columns.length; column += 1) {
          const name = this.columns[column] as string;
          // Own fields only: a column named constructor reads the record's, never Object.prototype's.
          values[offset + column] = encodeValue(Object.hasOwn(record, name) ? record[name] : undefined, this.kinds[column] as ColumnKind, name);
        }
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      return error.withLocation({ stream, line, file: this.file });
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
      this.db.exec(createSql(temporary, columns, keys));
      this.db.exec(`INSERT INTO ${quoteIdentifier(temporary)} (${names}) SELECT ${names} FROM ${quoteIdentifier(this.table)}`);
      this.db.exec(`DROP TABLE ${quoteIdentifier(this.table)}`);
      this.db.exec(`ALTER TABLE ${quoteIdentifier(temporary)} RENAME TO ${quoteIdentifier(this.table)}`);
    })();
  }

  private addVersionColumn(): void {
    this.db.exec(`ALTER TABLE ${quoteIdentifier(this.table)} ADD COLUMN ${quoteIdentifier(VERSION_COLUMN)} INTEGER`);
    this.versioned = true;
    if (this.stream !== undefined) this.inserts = this.rowInserts(this.stream.keyProperties);
  }

  /** The inserts of this table's rows: an upsert on the key properties, or a plain insert for a stream without keys. */
  private rowInserts(keys: readonly string[]): RowInserts {
    const columns = [...this.columns, ...(this.versioned ? [VERSION_COLUMN] : [])];
    const head = `INSERT INTO ${quoteIdentifier(this.table)} (${columns.map(quoteIdentifier).join(", ")}) VALUES `;
    const row = `(${columns.map(() => "?").join(", ")})`;
    const updates = columns.filter((name) => !keys.includes(name)).map((name) => `${quoteIdentifier(name)} = excluded.${quoteIdentifier(name)}`);
    const upsert =
      keys.length === 0
        ? ""
        : ` ON CONFLICT (${keys.map(quoteIdentifier).join(", ")}) ${updates.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${updates.join(", ")}`}`;
    return new RowInserts(this.db, this.savepoint, columns.length, (rows) => `${head}${Array.from({ length: rows }, () => row).join(", ")}${upsert}`);
  }
}

/** A stream's columns and their kinds; a schema without properties (valid Singer: any object) is kept whole, as JSON in one column. */
function wantedColumns(stream: StreamInfo): Map<string, ColumnKind> {
  const wanted = new Map(Object.entries(keyedProperties(stream)).map(([name, schema]) => [name, columnKind(schema)]));
  if (wanted.size === 0) wanted.set(RECORD_COLUMN, columnKind({ type: "object" }));
  return wanted;
}

function createSql(table: string, columns: ReadonlyArray<[string, string]>, keys: readonly string[]): string {
  const definitions = columns.map(([name, type]) => `${quoteIdentifier(name)} ${type}`);
  if (keys.length > 0) definitions.push(`PRIMARY KEY (${keys.map(quoteIdentifier).join(", ")})`);
  return `CREATE TABLE ${quoteIdentifier(table)} (${definitions.join(", ")}) STRICT`;
}
