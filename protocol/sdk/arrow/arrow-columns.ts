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
