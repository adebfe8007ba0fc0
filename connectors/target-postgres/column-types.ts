import { schemaTypes, valueTypes } from "../../catalogs/index.js";
import type { JsonSchema } from "../../protocol/index.js";

/** How one schema property is stored: its Postgres type and how a value is written for COPY. */
export interface ColumnKind {
  readonly pgType: "bigint" | "numeric" | "boolean" | "text" | "timestamptz" | "date" | "time" | "jsonb";
  /** "json": any value as JSON text (jsonb); "text": as the value's own text. */
  readonly encoding: "json" | "text";
}

/**
 * The column for a schema property: integer → bigint, number → numeric
 * (exact: decimals keep every digit), boolean → boolean, string → text, or
 * timestamptz / date / time by its format, object and array → jsonb.
 * Unions of several types, anyOf branches of several types and untyped
 * properties → jsonb, which holds any JSON value as it is.
 */
export function columnKind(schema: JsonSchema | undefined): ColumnKind {
  if (schema === undefined) return { pgType: "jsonb", encoding: "json" };
  const types = valueTypes(schema);
  let format = schema["format"];
  if (schemaTypes(schema).length === 0 && Array.isArray(schema["anyOf"])) {
    // Of anyOf branches, the format of those that hold a value, when they agree.
    const formats = new Set((schema["anyOf"] as JsonSchema[]).filter((branch) => valueTypes(branch).length > 0).map((branch) => branch["format"]));
    format = formats.size === 1 ? [...formats][0] : undefined;
  }
  if (types.length !== 1) return { pgType: "jsonb", encoding: "json" };
  switch (types[0]) {
    case "integer":
      return { pgType: "bigint", encoding: "text" };
    case "number":
      return { pgType: "numeric", encoding: "text" };
    case "boolean":
      return { pgType: "boolean", encoding: "text" };
    case "string":
      if (format === "date-time") return { pgType: "timestamptz", encoding: "text" };
      if (format === "date") return { pgType: "date", encoding: "text" };
      if (format === "time") return { pgType: "time", encoding: "text" };
      return { pgType: "text", encoding: "text" };
    default:
      return { pgType: "jsonb", encoding: "json" };
  }
}
