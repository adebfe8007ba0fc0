import { createHash } from "node:crypto";
import { ConfigError, VERSION_COLUMN } from "../../protocol/index.js";

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

/** The staging table's column that keeps the order records arrived in: of two with one key, the later wins. */
export const SEQUENCE_COLUMN = "_agora_seq";

/**
 * The staging table of `schema.table`: a digest of the full names keeps
 * it apart from every other table's, however long the names (cut to 63
 * bytes, two streams sharing their first 49 bytes shared one before).
 */
export function stagingTableName(schema: string, table: string): string {
  const digest = createHash("sha256").update(`${schema}\u0000${table}`).digest("hex").slice(0, 16);
  return storedIdentifier(`agora_staging_${digest}_${table}`);
}

/** Column names this target writes itself: a property may not take one. */
const RESERVED_COLUMNS = [VERSION_COLUMN, SEQUENCE_COLUMN];

/** Refuses, in one line, a property whose name no column can have: empty, or one the target writes itself. */
export function refuseUnusableNames(stream: string, names: readonly string[]): void {
  for (const name of names) {
    const reserved = RESERVED_COLUMNS.includes(storedIdentifier(name));
    if (name !== "" && !reserved) continue;
    throw new ConfigError(
      name === "" ? "COLUMN_NAME_EMPTY" : "COLUMN_NAME_RESERVED",
      name === ""
        ? "a property has an empty name, which no Postgres column can have"
        : `property ${JSON.stringify(name)} would be column ${JSON.stringify(storedIdentifier(name))}, which target-postgres writes itself`,
      {
        where: { stream },
        hint: "Rename it in the pipeline (the rename middleware), so it gets a column of its own.",
      },
    );
  }
}
