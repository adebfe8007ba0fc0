/** A quoted Postgres identifier: any stream or field name is safe inside it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Postgres keeps the first 63 bytes of an identifier and silently drops the rest. */
export const MAX_IDENTIFIER_BYTES = 63;

/** The name Postgres would store for `name`: its first 63 bytes (whole characters). */
export function storedIdentifier(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;
  let kept = "";
  for (const character of name) {
    if (Buffer.byteLength(kept + character) > MAX_IDENTIFIER_BYTES) break;
    kept += character;
  }
  return kept;
}

/** The column that records which table version (ACTIVATE_VERSION) a row belongs to. */
export const VERSION_COLUMN = "_sdc_table_version";

/** The one column of a stream whose schema has no properties: each record, whole, as jsonb. */
export const RECORD_COLUMN = "_sdc_record";

/** The staging table's column that keeps the order records arrived in: of two with one key, the later wins. */
export const SEQUENCE_COLUMN = "_agora_seq";
