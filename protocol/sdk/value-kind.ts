import { schemaTypes, valueTypes } from "../../catalogs/index.js";
import type { JsonSchema } from "../messages/types.js";

/**
 * What a stream property holds, as a destination column must keep it: the
 * one reading of a JSON Schema that every target's column types start from
 * (target-sqlite, target-postgres, target-duckdb, and the Arrow and Parquet
 * writers each map these kinds to their own types, in one table each).
 *
 * - integer, number, boolean: the property's one JSON type (integer and
 *   number together are number);
 * - string, or date-time / date / time by its `format` (of the anyOf
 *   branches that hold a value, when they agree);
 * - json: an object or an array;
 * - any: several types, or none said (`{}`): a column that takes any JSON
 *   value.
 */
export type ValueKind = "integer" | "number" | "boolean" | "string" | "date-time" | "date" | "time" | "json" | "any";

export function valueKind(property: JsonSchema | undefined): ValueKind {
  if (property === undefined) return "any";
  const types = valueTypes(property);
  if (types.length !== 1) return "any";
  switch (types[0]) {
    case "integer":
    case "number":
    case "boolean":
      return types[0];
    case "string":
      return stringKind(property);
    case "object":
    case "array":
      return "json";
    default:
      return "any";
  }
}

const FORMATS = new Set<ValueKind>(["date-time", "date", "time"]);

function stringKind(property: JsonSchema): ValueKind {
  let format = property["format"];
  if (schemaTypes(property).length === 0 && Array.isArray(property["anyOf"])) {
    // Of anyOf branches, the format of those that hold a value, when they agree.
    const formats = new Set((property["anyOf"] as JsonSchema[]).filter((branch) => valueTypes(branch).length > 0).map((branch) => branch["format"]));
    format = formats.size === 1 ? [...formats][0] : undefined;
  }
  return typeof format === "string" && FORMATS.has(format as ValueKind) ? (format as ValueKind) : "string";
}
