import { valueKind, type JsonSchema, type ValueKind } from "../../protocol/index.js";

/** How one schema property is stored: its Postgres type and how a value is written for COPY. */
export interface ColumnKind {
  readonly pgType: "bigint" | "numeric" | "boolean" | "text" | "timestamptz" | "date" | "time" | "jsonb";
  /** "json": any value as JSON text (jsonb); "text": as the value's own text. */
  readonly encoding: "json" | "text";
}

/**
 * The column for each kind of property (valueKind): integer → bigint,
 * number → numeric (exact: decimals keep every digit), boolean → boolean,
 * string → text, date-time → timestamptz, date → date, time → time,
 * objects, arrays, several types or none said → jsonb, which holds any JSON
 * value as it is.
 */
const COLUMNS: Record<ValueKind, ColumnKind> = {
  integer: { pgType: "bigint", encoding: "text" },
  number: { pgType: "numeric", encoding: "text" },
  boolean: { pgType: "boolean", encoding: "text" },
  string: { pgType: "text", encoding: "text" },
  "date-time": { pgType: "timestamptz", encoding: "text" },
  date: { pgType: "date", encoding: "text" },
  time: { pgType: "time", encoding: "text" },
  json: { pgType: "jsonb", encoding: "json" },
  any: { pgType: "jsonb", encoding: "json" },
};

export function columnKind(schema: JsonSchema | undefined): ColumnKind {
  return COLUMNS[valueKind(schema)];
}
