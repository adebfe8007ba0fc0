/*
 * What every SQL target checks of a stream before it touches its table:
 * that each key property is a property, and that an existing table's key is
 * the stream's. The three database targets share these checks, and their
 * codes, so a user sees one message whichever target refused.
 */
import type { JsonSchema } from "../../messages/types.js";
import { ConfigError, type ErrorLocation } from "../../errors.js";
import type { StreamInfo } from "../targets/types.js";

/** Error codes of the checks every SQL target makes of a stream's table. */
export const SqlTableCodes = {
  KEYS_CHANGED: "KEYS_CHANGED",
  KEY_NOT_IN_SCHEMA: "KEY_NOT_IN_SCHEMA",
} as const;

/** The stream's properties by name, once every key property is known to be one of them. */
export function keyedProperties(stream: StreamInfo): Readonly<Record<string, JsonSchema>> {
  const properties = (stream.schema["properties"] ?? {}) as Record<string, JsonSchema>;
  for (const key of stream.keyProperties) {
    if (!Object.hasOwn(properties, key)) {
      throw new ConfigError(SqlTableCodes.KEY_NOT_IN_SCHEMA, `key property "${key}" is not in the stream's schema`, {
        where: { stream: stream.name },
        hint: "The tap must list its key properties in the schema's properties.",
      });
    }
  }
  return properties;
}

/**
 * Refuses an existing table whose key (`tableKeys`, in order) is not the
 * stream's key properties: upserting by other columns would merge or split
 * rows. `table` is the name the hint tells the user to drop or rename.
 */
export function refuseChangedKeys(tableKeys: readonly string[], stream: StreamInfo, table: string, where: ErrorLocation = {}): void {
  if (tableKeys.join("\u0000") === stream.keyProperties.join("\u0000")) return;
  throw new ConfigError(
    SqlTableCodes.KEYS_CHANGED,
    `the table's key is (${tableKeys.join(", ")}) but the stream's key properties are (${stream.keyProperties.join(", ")})`,
    {
      where: { stream: stream.name, ...where },
      hint: `Drop or rename table ${table}, or keep the stream's key properties unchanged.`,
    },
  );
}
