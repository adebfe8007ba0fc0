/*
 * Names in SQL, for the targets that write to a database (and the runner's
 * Postgres store): the quoting every engine here shares, and the columns
 * the Singer convention adds to a stream's table.
 */

/** An identifier quoted for SQL (Postgres, SQLite, DuckDB): whatever its characters, a stream or field name names exactly itself. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The column that records which table version (ACTIVATE_VERSION) a row belongs to. */
export const VERSION_COLUMN = "_sdc_table_version";

/** The one column of a stream whose schema has no properties: each record, whole, as JSON. */
export const RECORD_COLUMN = "_sdc_record";
