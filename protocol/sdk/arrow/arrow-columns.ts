import { valueTypes } from "../../../catalogs/index.js";
import type { JsonSchema } from "../../messages/types.js";

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

export interface ArrowColumn {
  readonly name: string;
  readonly kind: ArrowKind;
}

/** The metadata key that marks a utf8 column as holding JSON text. */
export const JSON_COLUMN_KEY = "agora.json";

export function arrowKind(property: JsonSchema | undefined): ArrowKind {
  if (property === undefined) return "json";
  const types = valueTypes(property);
  if (types.length !== 1) return "json";
  switch (types[0]) {
    case "integer":
      return "int64";
    case "number":
      return "float64";
    case "boolean":
      return "bool";
    case "string":
      return "utf8";
    default:
      return "json";
  }
}

/** The Arrow columns of a stream's schema, in the order of its properties. */
export function arrowColumns(schema: JsonSchema): ArrowColumn[] {
  const properties = (schema["properties"] ?? {}) as Record<string, JsonSchema>;
  return Object.keys(properties).map((name) => ({ name, kind: arrowKind(properties[name]) }));
}

/**
 * True when a column read as `kind` holds the values `property` describes:
 * the kind the property is written as, or a timestamp (date) column for a
 * string property of format date-time (date).
 */
export function columnFitsProperty(kind: ReadKind, property: JsonSchema | undefined): boolean {
  const expected = arrowKind(property);
  if (kind === expected) return true;
  if (expected !== "utf8" || property === undefined) return false;
  const format = property["format"];
  return (kind === "timestamp" && format === "date-time") || (kind === "date" && format === "date");
}

/** How a property is described in messages: its Arrow kind, with the string format that lets a timestamp or date column stand for it. */
export function describeProperty(property: JsonSchema | undefined): string {
  const kind = arrowKind(property);
  const format = property?.["format"];
  return kind === "utf8" && (format === "date-time" || format === "date") ? `utf8 (or ${format === "date" ? "date" : "timestamp"})` : kind;
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
