import type { DuckDBConnection } from "@duckdb/node-api";
import { ConfigError, type JsonSchema, type StreamInfo } from "../../protocol/index.js";
import { duckdbType, identifierKey, quoteIdentifier, quoteLiteral } from "./column-types.js";

/** The one column of a stream whose schema has no properties: each record, whole, as JSON. */
export const RECORD_COLUMN = "_sdc_record";

/** The row number column read_parquet adds, to keep the last of a key's rows in a batch. */
const ROW_NUMBER = "file_row_number";

interface Column {
  readonly name: string;
  readonly type: string;
}

/** The columns a stream's schema asks for (the whole record as JSON when it has no properties); names equal but for case are refused. */
export function wantedColumns(stream: StreamInfo): Column[] {
  const properties = (stream.schema["properties"] ?? {}) as Record<string, JsonSchema>;
  const names = Object.keys(properties);
  if (names.length === 0) return [{ name: RECORD_COLUMN, type: "JSON" }];
  const seen = new Map<string, string>();
  for (const name of names) {
    const other = seen.get(identifierKey(name));
    if (other !== undefined) {
      throw new ConfigError("COLUMN_NAMES_COLLIDE", `properties ${JSON.stringify(other)} and ${JSON.stringify(name)} differ only in case, and DuckDB column names ignore case`, {
        where: { stream: stream.name },
        hint: "Rename one of them with the rename_field middleware, so each keeps its own values.",
      });
    }
    seen.set(identifierKey(name), name);
  }
  for (const key of stream.keyProperties) {
    if (!Object.hasOwn(properties, key)) {
      throw new ConfigError("KEY_NOT_IN_SCHEMA", `key property "${key}" is not in the stream's schema`, { where: { stream: stream.name }, hint: "The tap must list its key properties in the schema's properties." });
    }
  }
  return names.map((name) => ({ name, type: duckdbType(properties[name]) }));
}

/**
 * One stream's table: created from the stream's schema with a primary key on
 * its key properties, grown when the schema grows, and loaded a batch at a
 * time from a Parquet file: an upsert on the keys (the last row of a key in
 * the batch wins), or a plain insert for a stream without keys.
 */
export class StreamTable {
  private columns: Column[] = [];
  private keys: readonly string[] = [];
  /** True when the table's primary key is the stream's keys (an upsert by ON CONFLICT); false: by MERGE. */
  private keyed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly schema: string,
    readonly table: string,
  ) {}

  private get qualified(): string {
    return `${quoteIdentifier(this.schema)}.${quoteIdentifier(this.table)}`;
  }

  /** Makes the table match the stream's schema: created, or new columns added. */
  async prepare(stream: StreamInfo): Promise<void> {
    const wanted = wantedColumns(stream);
    this.keys = wanted.length === 1 && wanted[0]?.name === RECORD_COLUMN ? [] : stream.keyProperties;
    const existing = await this.existingColumns();
    if (existing.size === 0) {
      const key = this.keys.length === 0 ? "" : `, PRIMARY KEY (${this.keys.map(quoteIdentifier).join(", ")})`;
      await this.connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      await this.connection.run(`CREATE TABLE IF NOT EXISTS ${this.qualified} (${wanted.map((column) => `${quoteIdentifier(column.name)} ${column.type}`).join(", ")}${key})`);
    } else {
      for (const column of wanted) {
        if (!existing.has(identifierKey(column.name))) await this.connection.run(`ALTER TABLE ${this.qualified} ADD COLUMN ${quoteIdentifier(column.name)} ${column.type}`);
      }
    }
    this.columns = wanted;
    this.keyed = this.keys.length > 0 && (await this.primaryKeyIs(this.keys));
  }

  private async existingColumns(): Promise<Set<string>> {
    const reader = await this.connection.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() AND lower(schema_name) = lower(${quoteLiteral(this.schema)}) AND lower(table_name) = lower(${quoteLiteral(this.table)})`,
    );
    return new Set(reader.getRows().map((row) => identifierKey(String(row[0]))));
  }

  private async primaryKeyIs(keys: readonly string[]): Promise<boolean> {
    const reader = await this.connection.runAndReadAll(
      `SELECT constraint_column_names::VARCHAR[] FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND database_name = current_database() AND lower(schema_name) = lower(${quoteLiteral(this.schema)}) AND lower(table_name) = lower(${quoteLiteral(this.table)})`,
    );
    const wanted = keys.map(identifierKey).sort().join("\u0000");
    return reader.getRowsJS().some((row) => ((row[0] ?? []) as string[]).map(identifierKey).sort().join("\u0000") === wanted);
  }

  /**
   * Loads the rows of a Parquet file whose columns are `present` (a subset
   * of the schema's), converted to the table's types; call inside a
   * transaction.
   */
  async load(parquetPath: string, present: readonly string[]): Promise<void> {
    const presentKeys = new Set(present.map(identifierKey));
    const columns = this.columns.filter((column) => presentKeys.has(identifierKey(column.name)));
    const names = columns.map((column) => quoteIdentifier(column.name)).join(", ");
    const casts = columns.map((column) => `CAST(${quoteIdentifier(column.name)} AS ${column.type}) AS ${quoteIdentifier(column.name)}`).join(", ");
    const source = `read_parquet(${quoteLiteral(parquetPath)}${this.keys.length > 0 ? `, ${ROW_NUMBER} = true` : ""})`;
    if (this.keys.length === 0) {
      await this.connection.run(`INSERT INTO ${this.qualified} (${names}) SELECT ${casts} FROM ${source}`);
      return;
    }
    const keys = this.keys.map(quoteIdentifier).join(", ");
    // The last row of each key in the batch, as a stream of upserts means.
    const latest = `SELECT ${names} FROM (SELECT ${casts}, row_number() OVER (PARTITION BY ${this.keys.map((key) => quoteIdentifier(key)).join(", ")} ORDER BY ${ROW_NUMBER} DESC) AS _agora_last FROM ${source}) WHERE _agora_last = 1`;
    const others = columns.filter((column) => !this.keys.some((key) => identifierKey(key) === identifierKey(column.name)));
    if (this.keyed) {
      const update = others.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${others.map((column) => `${quoteIdentifier(column.name)} = excluded.${quoteIdentifier(column.name)}`).join(", ")}`;
      await this.connection.run(`INSERT INTO ${this.qualified} (${names}) ${latest} ON CONFLICT (${keys}) ${update}`);
      return;
    }
    // A table made elsewhere, without the keys as its primary key.
    const on = this.keys.map((key) => `target.${quoteIdentifier(key)} IS NOT DISTINCT FROM batch.${quoteIdentifier(key)}`).join(" AND ");
    const set = others.length === 0 ? "" : `WHEN MATCHED THEN UPDATE SET ${others.map((column) => `${quoteIdentifier(column.name)} = batch.${quoteIdentifier(column.name)}`).join(", ")} `;
    await this.connection.run(
      `MERGE INTO ${this.qualified} AS target USING (${latest}) AS batch ON ${on} ${set}WHEN NOT MATCHED THEN INSERT (${names}) VALUES (${columns.map((column) => `batch.${quoteIdentifier(column.name)}`).join(", ")})`,
    );
  }
}
