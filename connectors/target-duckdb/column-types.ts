import { valueTypes } from "../../catalogs/index.js";
import type { JsonSchema } from "../../protocol/index.js";

/**
 * The DuckDB type of a schema property: integer → BIGINT, number → DOUBLE,
 * boolean → BOOLEAN, string → VARCHAR (date-time → TIMESTAMPTZ, date →
 * DATE), object, array, unions of several types and untyped → JSON.
 */
export function duckdbType(property: JsonSchema | undefined): string {
  if (property === undefined) return "JSON";
  const types = valueTypes(property);
  if (types.length !== 1) return "JSON";
  switch (types[0]) {
    case "integer":
      return "BIGINT";
    case "number":
      return "DOUBLE";
    case "boolean":
      return "BOOLEAN";
    case "string":
      return property["format"] === "date-time" ? "TIMESTAMPTZ" : property["format"] === "date" ? "DATE" : "VARCHAR";
    default:
      return "JSON";
  }
}

/** A quoted DuckDB identifier: any stream or field name is safe inside it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** How DuckDB compares identifiers: ignoring case. */
export function identifierKey(name: string): string {
  return name.toLowerCase();
}
