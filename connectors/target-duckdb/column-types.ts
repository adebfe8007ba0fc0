import { decimalShape, valueKind, type JsonSchema, type ValueKind } from "../../protocol/index.js";

/**
 * The DuckDB type of each kind of property (valueKind): integer → BIGINT,
 * number → DOUBLE, boolean → BOOLEAN, string → VARCHAR, date-time →
 * TIMESTAMPTZ, date → DATE, time → VARCHAR (DuckDB's TIME has no zone, and
 * RFC 3339 times carry one), objects, arrays, several types or none said →
 * JSON.
 */
const TYPES: Record<ValueKind, string> = {
  integer: "BIGINT",
  number: "DOUBLE",
  boolean: "BOOLEAN",
  string: "VARCHAR",
  "date-time": "TIMESTAMPTZ",
  date: "DATE",
  time: "VARCHAR",
  json: "JSON",
  any: "JSON",
};

/** A number whose schema gives its precision and scale (decimalShape, as database taps write numeric(p,s)) is DECIMAL(p,s). */
export function duckdbType(property: JsonSchema | undefined): string {
  const decimal = decimalShape(property);
  return decimal === undefined ? TYPES[valueKind(property)] : `DECIMAL(${decimal.precision},${decimal.scale})`;
}

/** How DuckDB compares identifiers: ignoring case. */
export function identifierKey(name: string): string {
  return name.toLowerCase();
}
