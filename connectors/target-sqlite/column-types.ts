import { valueTypes } from "../../catalogs/index.js";
import type { JsonSchema } from "../../protocol/index.js";

/** Column types of a STRICT SQLite table. */
export type SqlType = "INTEGER" | "REAL" | "TEXT" | "ANY";

/** How one schema property is stored: its column type and how a value is encoded for it. */
export interface ColumnKind {
  readonly sqlType: SqlType;
  /** "json": objects and arrays as JSON text; "boolean": 1/0; "plain": as is. */
  readonly encoding: "json" | "boolean" | "plain" | "any";
}

/**
 * The column for a schema property: integer → INTEGER, number → REAL,
 * boolean → INTEGER (1/0), string (dates included) → TEXT, object and array →
 * TEXT holding JSON. Unions of several types, anyOf and untyped → ANY.
 */
export function columnKind(schema: JsonSchema | undefined): ColumnKind {
  if (schema === undefined) return { sqlType: "ANY", encoding: "any" };
  const types = valueTypes(schema);
  if (types.length !== 1) return { sqlType: "ANY", encoding: "any" };
  switch (types[0]) {
    case "integer":
      return { sqlType: "INTEGER", encoding: "plain" };
    case "number":
      return { sqlType: "REAL", encoding: "plain" };
    case "boolean":
      return { sqlType: "INTEGER", encoding: "boolean" };
    case "string":
      return { sqlType: "TEXT", encoding: "plain" };
    case "object":
    case "array":
      return { sqlType: "TEXT", encoding: "json" };
    default:
      return { sqlType: "ANY", encoding: "any" };
  }
}

export type SqlValue = number | string | bigint | null | Buffer;

/** A record value as SQLite takes it. */
export function encodeValue(value: unknown, encoding: ColumnKind["encoding"]): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "object") return JSON.stringify(value);
  if (encoding === "json" && typeof value === "string") return JSON.stringify(value);
  return value as SqlValue;
}
