import type { ClientBase } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { keyedProperties, type AgoraError, type RecordMessage, type StreamInfo, quoteIdentifier, RECORD_COLUMN, VERSION_COLUMN } from "../../protocol/index.js";
import { columnKind, type ColumnKind } from "./column-types.js";
import { columnWithNul, copyChunks, CopyRowEncoder, withVersionField } from "./copy-rows.js";
import { refuseUnusableNames, SEQUENCE_COLUMN, stagingTableName } from "./identifiers.js";
import { evolveTable, existingColumns, refuseTruncatedNames } from "./table-schema.js";
import { refusedRow } from "./postgres-errors.js";

/** A record the caller may reject alone (dead letter), by its index in the batch. */
export type Reject = (index: number, error: AgoraError) => void;

/** SQLSTATE of a key already present. */
const UNIQUE_VIOLATION = "23505";

/** A batch's COPY lines, their input lines, and what to do with a row Postgres refuses. */
interface Refusing {
  readonly rows: readonly string[];
  readonly lines: readonly number[];
  readonly stream: string;
  readonly reject: Reject | undefined;
  /** Rows rejected so far: a second COPY of the batch (into staging) leaves them out. */
  readonly rejected: Set<number>;
}

/**
 * One stream's table in Postgres: created from the stream's schema, grown
 * when the schema grows (a column whose type must change becomes jsonb),
 * and written a batch at a time inside the caller's transaction. A stream
 * without keys is COPYed straight into its table; so is a keyed stream's
 * batch while all its keys are new. From the first batch that meets a key
 * already there, batches are COPYed into a temporary staging table and
 * upserted on the key properties in one statement (the last record of a key
 * in the batch wins).
 *
 * Records are encoded as COPY lines when they arrive (`encode`), against the
 * table as prepared, and a batch writes lines. A stream's first record with
 * a `version` makes its lines carry a version field from then on, and the
 * next write adds the table's version column; lines encoded before it (in
 * the batch being written or filling then) get a null version as they are
 * written.
 */
export class StreamTable {
  private columns: string[] = [];
  private kinds: ColumnKind[] = [];
  /** The table has its version column. */
  private versioned = false;
  /** Lines are encoded with a version field (so the table must have the column by the time they are written). */
  private linesVersioned = false;
  /** Lines encoded without a version field may still be waiting to be written after lines with one. */
  private unversionedLinesMayWait = false;
  private wholeRecord = false;
  private stream: StreamInfo | undefined;
  private rowEncoder: CopyRowEncoder | undefined;
  /** The staging table exists on this connection with the table's current columns. */
  private stagingReady = false;
  /** A batch met keys already in the table: batches are merged, not inserted. */
  private keysSeen = false;

  constructor(
    private readonly schema: string,
    private readonly table: string,
  ) {}

  private get qualified(): string {
    return `${quoteIdentifier(this.schema)}.${quoteIdentifier(this.table)}`;
  }

  /** Makes the table match the stream's schema; inside the caller's transaction. */
  async prepare(client: ClientBase, stream: StreamInfo): Promise<void> {
    this.stream = stream;
    const properties = keyedProperties(stream);
    const wanted = new Map(Object.entries(properties).map(([name, property]) => [name, columnKind(property)]));
    this.wholeRecord = wanted.size === 0;
    if (this.wholeRecord) wanted.set(RECORD_COLUMN, { pgType: "jsonb", encoding: "json" });
    if (!this.wholeRecord) refuseUnusableNames(stream.name, [...wanted.keys()]);
    refuseTruncatedNames(stream.name, [...wanted.keys()]);
    const existing = await existingColumns(client, this.schema, this.table);
    if (existing.size === 0) {
      const definitions = [...wanted].map(([name, kind]) => `${quoteIdentifier(name)} ${kind.pgType}`);
      if (stream.keyProperties.length > 0) definitions.push(`PRIMARY KEY (${stream.keyProperties.map(quoteIdentifier).join(", ")})`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      await client.query(`CREATE TABLE ${this.qualified} (${definitions.join(", ")})`);
    } else {
      await evolveTable(client, { schema: this.schema, table: this.table }, existing, wanted, stream);
    }
    const columns = await existingColumns(client, this.schema, this.table);
    this.versioned = columns.has(VERSION_COLUMN);
    // A column widened to jsonb earlier stays jsonb: values are then written as JSON.
    this.columns = [...wanted.keys()];
    this.kinds = [...wanted].map(([name, kind]) => (columns.get(name) === "jsonb" ? { pgType: "jsonb", encoding: "json" } : kind));
    this.linesVersioned = this.versioned;
    this.unversionedLinesMayWait = false;
    this.rowEncoder = undefined;
    this.stagingReady = false;
  }

  /** A record as its COPY line, its end included (TargetWriter.encodeRecord). */
  encode(message: RecordMessage): string {
    if (message.version !== undefined && !this.linesVersioned) {
      this.linesVersioned = true;
      this.unversionedLinesMayWait = true;
      this.rowEncoder = undefined;
    }
    return this.encoder().line(message);
  }

  /**
   * Writes a batch of COPY lines made by `encode` (inside the caller's
   * transaction); `lines` are the records' input lines. A value Postgres
   * refuses is an error naming stream, column and input line; with `reject`
   * that record alone is rejected and the rest of the batch written.
   */
  async write(client: ClientBase, texts: readonly string[], lines: readonly number[], reject?: Reject): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) throw new Error(`table ${this.table} used before its schema`);
    if (this.linesVersioned && !this.versioned) await this.addVersionColumn(client);
    const rows = this.versioned ? this.withVersionFields(texts) : texts;
    const keyed = stream.keyProperties.length > 0;
    const refusing: Refusing = { rows, lines, stream: stream.name, reject, rejected: new Set() };
    const all = rows.map((_, index) => index);
    if (!keyed) {
      await this.copyKeeping(client, this.qualified, all, refusing);
      return;
    }
    if (await this.insertedNew(client, all, refusing)) return;
    await this.ensureStaging(client);
    await this.copyKeeping(
      client,
      this.staging,
      all.filter((index) => !refusing.rejected.has(index)),
      refusing,
    );
    await this.merge(client);
  }

  /**
   * COPYs rows `indexes` into `table`. A row Postgres refuses is rejected
   * alone (with `reject`; else its error is thrown): the rows before it,
   * which that COPY took, are COPYed again, and the rest go on from after
   * it. Each row is sent at most twice however many are refused (before,
   * the whole batch was sent again for each: 6,000 refused rows took 27 s).
   */
  private async copyKeeping(client: ClientBase, table: string, indexes: readonly number[], refusing: Refusing): Promise<void> {
    let rest = indexes;
    while (rest.length > 0) {
      const attempt = rest;
      await client.query("SAVEPOINT agora_copy");
      try {
        await this.copy(client, table, copyChunks(refusing.rows, attempt));
        await client.query("RELEASE SAVEPOINT agora_copy");
        return;
      } catch (error) {
        await client.query("ROLLBACK TO SAVEPOINT agora_copy");
        // A key already in the table is no refused value: insertedNew switches to merging.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw error;
        // Line n of the COPY is the record attempt[n - 1]: Postgres's errors name lines.
        let at = -1;
        const refused = refusedRow(error, refusing.stream, (row) => {
          const index = attempt[row - 1];
          if (index === undefined) return undefined;
          at = row - 1;
          return { index, line: refusing.lines[index], nulColumn: columnWithNul(refusing.rows[index] as string, this.columns) };
        });
        if (refused === undefined || refusing.reject === undefined) throw refused?.error ?? error;
        refusing.reject(refused.index, refused.error);
        refusing.rejected.add(refused.index);
        // The rows before the refused one were taken by the COPY that failed: they are good.
        if (at > 0) {
          await client.query("SAVEPOINT agora_copy");
          await this.copy(client, table, copyChunks(refusing.rows, attempt.slice(0, at)));
          await client.query("RELEASE SAVEPOINT agora_copy");
        }
        rest = attempt.slice(at + 1);
      }
    }
  }

  /**
   * The batch's lines, each with a version field: those encoded before the
   * stream's first versioned record get a null one. Once a write finds none
   * to mend, none can follow (lines are written in the order they were made).
   */
  private withVersionFields(texts: readonly string[]): readonly string[] {
    if (!this.unversionedLinesMayWait) return texts;
    const columns = this.columns.length;
    let mended = false;
    const rows = texts.map((text) => {
      const row = withVersionField(text, columns);
      mended ||= row !== text;
      return row;
    });
    if (!mended) this.unversionedLinesMayWait = false;
    return rows;
  }

  /** The columns COPY writes, in order: the stream's, then the version column if the table has one. */
  private get copiedColumns(): string[] {
    return [...this.columns, ...(this.versioned ? [VERSION_COLUMN] : [])];
  }

  /** The row encoder for the table as prepared (made again when its columns or its lines' version field change). */
  private encoder(): CopyRowEncoder {
    if (this.rowEncoder === undefined) {
      this.rowEncoder = new CopyRowEncoder({ columns: this.columns, kinds: this.kinds, wholeRecord: this.wholeRecord, versioned: this.linesVersioned });
    }
    return this.rowEncoder;
  }

  /**
   * The staging table of a keyed stream: temporary, emptied at each commit,
   * made once per connection (and again when the table's columns change), so
   * a batch costs no DDL. Its identity column numbers rows in the order COPY
   * reads them, which is the order the records arrived in.
   */
  private async ensureStaging(client: ClientBase): Promise<void> {
    if (this.stagingReady) return;
    await client.query(`DROP TABLE IF EXISTS ${this.staging}`);
    await client.query(
      `CREATE TEMPORARY TABLE ${this.staging} (LIKE ${this.qualified} INCLUDING DEFAULTS, ${quoteIdentifier(SEQUENCE_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY) ON COMMIT DELETE ROWS`,
    );
    this.stagingReady = true;
  }

  private get staging(): string {
    return quoteIdentifier(stagingTableName(this.schema, this.table));
  }

  /** COPY of the encoded rows into `table`, with the pipe's backpressure. */
  private async copy(client: ClientBase, table: string, chunks: Iterable<string>): Promise<void> {
    const list = this.copiedColumns.map(quoteIdentifier).join(", ");
    const copy = client.query(copyFrom(`COPY ${table} (${list}) FROM STDIN`));
    const done = new Promise<void>((resolve, reject) => {
      copy.on("finish", resolve);
      copy.on("error", reject);
    });
    for (const chunk of chunks) {
      if (!copy.write(chunk)) await Promise.race([new Promise((resolve) => copy.once("drain", resolve)), done]);
    }
    copy.end();
    await done;
  }

  /**
   * A keyed stream's batch COPYed straight into the table, when none of its
   * keys is there yet (a first load, an append-only stream): half the work of
   * staging and merging. The first key already present (SQLSTATE 23505) undoes
   * the attempt, and this table is merged from then on. True when written.
   */
  private async insertedNew(client: ClientBase, indexes: readonly number[], refusing: Refusing): Promise<boolean> {
    if (this.keysSeen) return false;
    await client.query("SAVEPOINT agora_new_keys");
    try {
      await this.copyKeeping(client, this.qualified, indexes, refusing);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await client.query("ROLLBACK TO SAVEPOINT agora_new_keys");
      this.keysSeen = true;
      return false;
    }
    await client.query("RELEASE SAVEPOINT agora_new_keys");
    return true;
  }

  /** Upserts the staged rows on the key properties: of two with one key, the later in the batch wins. */
  private async merge(client: ClientBase): Promise<void> {
    const keys = (this.stream as StreamInfo).keyProperties;
    const columns = this.copiedColumns;
    const list = columns.map(quoteIdentifier).join(", ");
    const keyList = keys.map(quoteIdentifier).join(", ");
    const updates = columns.filter((name) => !keys.includes(name)).map((name) => `${quoteIdentifier(name)} = excluded.${quoteIdentifier(name)}`);
    await client.query(
      `INSERT INTO ${this.qualified} (${list})
       SELECT DISTINCT ON (${keyList}) ${list} FROM ${this.staging} ORDER BY ${keyList}, ${quoteIdentifier(SEQUENCE_COLUMN)} DESC
       ON CONFLICT (${keyList}) ${updates.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${updates.join(", ")}`}`,
    );
  }

  /** Removes the rows of versions older than `version` (ACTIVATE_VERSION). */
  async activateVersion(client: ClientBase, version: number): Promise<void> {
    if ((await existingColumns(client, this.schema, this.table)).size === 0) return;
    if (!this.versioned) await this.addVersionColumn(client);
    await client.query(`DELETE FROM ${this.qualified} WHERE ${quoteIdentifier(VERSION_COLUMN)} IS NULL OR ${quoteIdentifier(VERSION_COLUMN)} < $1`, [version]);
  }

  private async addVersionColumn(client: ClientBase): Promise<void> {
    await client.query(`ALTER TABLE ${this.qualified} ADD COLUMN IF NOT EXISTS ${quoteIdentifier(VERSION_COLUMN)} bigint`);
    this.versioned = true;
    if (!this.linesVersioned) {
      // Between batches (ACTIVATE_VERSION): no line of this stream is waiting.
      this.linesVersioned = true;
      this.rowEncoder = undefined;
    }
    this.stagingReady = false;
  }
}
