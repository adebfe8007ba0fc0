import type { JsonSchema } from "../../messages/types.js";
import { decimalShape, valueKind, type DecimalShape, type ValueKind } from "../value-kind.js";

/**
 * How a stream's property is held in an Arrow batch: integer → int64,
 * number → float64, boolean → bool, string (any format) → utf8; objects,
 * arrays, unions of several types and untyped properties → utf8 holding the
 * value's JSON text, marked `agora.json` in the field's metadata so readers
 * give the value back. Every column is nullable: a missing property and a
 * null both arrive as null.
 */
export type ArrowKind = "int64" | "float64" | "bool" | "utf8" | "json";

/**
 * What a column read from an Arrow file holds, as records see it: the kinds
 * taps write, and those other writers use for the same JSON types (any
 * integer width → integer; float32 → number; large strings → string;
 * timestamps → date-time text; dates → date text).
 */
export type ReadKind = ArrowKind | "timestamp" | "date";

/** What a column is written as: a batch file's kinds; a file for readers also has timestamps, dates and exact decimals (decimal128). */
export type WriteKind = ReadKind | "decimal";

export interface ArrowColumn {
  readonly name: string;
  readonly kind: WriteKind;
  /** The precision and scale of a decimal column. */
  readonly decimal?: DecimalShape | undefined;
}

/** The metadata key that marks a utf8 column as holding JSON text. */
export const JSON_COLUMN_KEY = "agora.json";

/** The Arrow kind of each kind of property (valueKind): strings of every format are utf8; objects, arrays and unions JSON text. */
const KINDS: Record<ValueKind, ArrowKind> = {
  integer: "int64",
  number: "float64",
  boolean: "bool",
  string: "utf8",
  "date-time": "utf8",
  date: "utf8",
  time: "utf8",
  json: "json",
  any: "json",
};

export function arrowKind(property: JsonSchema | undefined): ArrowKind {
  return KINDS[valueKind(property)];
}

/**
 * The Arrow columns of a stream's schema, in the order of its properties.
 * For a file readers open (`forReaders`: target-parquet's, target-duckdb's
 * loads), a date-time property is a timestamp column (microseconds, UTC), a
 * date one a date column, and a number whose schema gives its precision and
 * scale (decimalShape) an exact decimal128; batch files between connectors
 * keep text and doubles (arrowKind).
 */
export function arrowColumns(schema: JsonSchema, options: { readonly forReaders?: boolean } = {}): ArrowColumn[] {
  const properties = (schema["properties"] ?? {}) as Record<string, JsonSchema>;
  return Object.keys(properties).map((name) => {
    const property = properties[name];
    if (options.forReaders !== true) return { name, kind: arrowKind(property) };
    const decimal = decimalShape(property);
    return decimal === undefined ? { name, kind: temporalKind(property) } : { name, kind: "decimal", decimal };
  });
}

function temporalKind(property: JsonSchema | undefined): ReadKind {
  const value = valueKind(property);
  return value === "date-time" ? "timestamp" : value === "date" ? "date" : arrowKind(property);
}

/**
 * True when a column read as `kind` holds the values `property` describes:
 * the kind the property is written as, or a timestamp (date) column for a
 * string property of format date-time (date).
 */
export function columnFitsProperty(kind: ReadKind, property: JsonSchema | undefined): boolean {
  if (kind === arrowKind(property)) return true;
  const value = valueKind(property);
  return (kind === "timestamp" && value === "date-time") || (kind === "date" && value === "date");
}

/** How a property is described in messages: its Arrow kind, with the string format that lets a timestamp or date column stand for it. */
export function describeProperty(property: JsonSchema | undefined): string {
  const value = valueKind(property);
  return value === "date-time" ? "utf8 (or timestamp)" : value === "date" ? "utf8 (or date)" : arrowKind(property);
}

/** Why a column of an Arrow or Parquet batch file cannot carry the stream's property of its name. */
export interface UnfitColumn {
  readonly column: { readonly name: string; readonly kind: ReadKind | undefined; readonly type: string };
  /** unreadable: a type the batch lane does not carry; absent: no such property; type: a type that does not fit it. */
  readonly why: "unreadable" | "absent" | "type";
}

/**
 * The first column of a batch file that does not fit `schema` (a property
 * of its name, of a type that fits), or undefined. Without a schema only
 * the column types are judged.
 */
export function unfitColumn(columns: readonly UnfitColumn["column"][], schema: JsonSchema | undefined): UnfitColumn | undefined {
  const properties = (schema?.["properties"] ?? {}) as Record<string, JsonSchema>;
  for (const column of columns) {
    if (column.kind === undefined) return { column, why: "unreadable" };
    if (schema === undefined) continue;
    if (!Object.hasOwn(properties, column.name)) return { column, why: "absent" };
    if (!columnFitsProperty(column.kind, properties[column.name])) return { column, why: "type" };
  }
  return undefined;
}
