import type { ClientBase } from "pg";
import { ConfigError, diffColumns, quoteIdentifier, refuseChangedKeys, type StreamInfo } from "../../protocol/index.js";
import type { ColumnKind } from "./column-types.js";
import { storedIdentifier } from "./identifiers.js";
import { TargetPostgresCodes } from "./codes.js";

/** A stream's table: its schema and name. */
export interface TableName {
  readonly schema: string;
  readonly table: string;
}

/** Postgres's internal names of the types columnKind chooses. */
const PG_UDT: Record<ColumnKind["pgType"], string> = {
  bigint: "int8",
  numeric: "numeric",
  boolean: "bool",
  text: "text",
  timestamptz: "timestamptz",
  date: "date",
  time: "time",
  jsonb: "jsonb",
};

/** Column name → type (Postgres's udt name: int8, numeric, jsonb…), in table order; empty when there is no such table. */
export async function existingColumns(client: ClientBase, schema: string, table: string): Promise<Map<string, string>> {
  const result = await client.query<{ column_name: string; udt_name: string }>(
    "SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
    [schema, table],
  );
  return new Map(result.rows.map((row) => [row.column_name, row.udt_name === "jsonb" ? "jsonb" : row.udt_name]));
}

/**
 * Grows an existing table to the stream's schema: new properties become
 * columns, a column whose type changed becomes jsonb (every value kept, as
 * JSON; key columns keep theirs). A table whose key differs from the
 * stream's key properties is refused.
 */
export async function evolveTable(
  client: ClientBase,
  name: TableName,
  existing: Map<string, string>,
  wanted: Map<string, ColumnKind>,
  stream: StreamInfo,
): Promise<void> {
  const qualified = `${quoteIdentifier(name.schema)}.${quoteIdentifier(name.table)}`;
  const keys = await client.query<{ column_name: string }>(
    `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
    [qualified],
  );
  refuseChangedKeys(
    keys.rows.map((row) => row.column_name),
    stream,
    `${name.schema}.${name.table}`,
  );
  const types = new Map([...wanted].map(([column, kind]) => [column, PG_UDT[kind.pgType]]));
  const changes = diffColumns(existing, types, { holds: (stored, type) => stored === type || stored === "jsonb" });
  for (const column of changes.added) {
    await client.query(`ALTER TABLE ${qualified} ADD COLUMN ${quoteIdentifier(column)} ${(wanted.get(column) as ColumnKind).pgType}`);
  }
  for (const { name: column } of changes.retyped) {
    if (stream.keyProperties.includes(column)) continue;
    // The schema changed a column's type: keep every value, as JSON.
    await client.query(`ALTER TABLE ${qualified} ALTER COLUMN ${quoteIdentifier(column)} TYPE jsonb USING to_jsonb(${quoteIdentifier(column)})`);
  }
}

/** Postgres would cut a long name to 63 bytes: two properties cut to one name are refused rather than merged. */
export function refuseTruncatedNames(stream: string, names: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    const stored = storedIdentifier(name);
    const other = seen.get(stored);
    if (other !== undefined) {
      throw new ConfigError(
        TargetPostgresCodes.COLUMN_NAME_TAKEN,
        `properties ${JSON.stringify(other)} and ${JSON.stringify(name)} would both be column ${JSON.stringify(stored)} (Postgres keeps the first 63 bytes of a name)`,
        {
          where: { stream },
          hint: "Rename one of them (the rename middleware), so each keeps its own column.",
        },
      );
    }
    seen.set(stored, name);
  }
}
