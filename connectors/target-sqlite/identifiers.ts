/** A quoted SQLite identifier: any stream or field name is safe inside it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The column that records which table version (ACTIVATE_VERSION) a row belongs to. */
export const VERSION_COLUMN = "_sdc_table_version";

/** The one column of a stream whose schema has no properties: each record, whole, as JSON. */
export const RECORD_COLUMN = "_sdc_record";
