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

/** A decimal column's shape: `precision` significant digits, `scale` of them after the point (at most 38: DECIMAL128). */
export interface DecimalShape {
  readonly precision: number;
  readonly scale: number;
}

/** The widest decimal the columnar targets write (DuckDB's DECIMAL, Arrow's and Parquet's decimal128). */
export const MAX_DECIMAL_PRECISION = 38;

/**
 * The exact decimal column a numeric property asks for, when its schema
 * says both how fine and how large its values are, as database taps say
 * it (singer-python's tap-postgres for `numeric(10,2)`: `multipleOf` 0.01
 * and bounds of ±1e8, exclusive): the scale from a `multipleOf` that is a
 * power of ten (none for an integer: 0), the digits before the point from
 * the larger bound. Undefined when either is missing, or the precision is
 * past 38: such a property keeps its double (or int64) column. An integer
 * property asks for one only past int64's range.
 */
export function decimalShape(property: JsonSchema | undefined): DecimalShape | undefined {
  const kind = valueKind(property);
  if (property === undefined || (kind !== "number" && kind !== "integer")) return undefined;
  const scale = kind === "integer" ? 0 : powerOfTenScale(property["multipleOf"]);
  if (scale === undefined) return undefined;
  const bound = largerBound(property);
  if (bound === undefined) return undefined;
  if (kind === "integer" && bound.value <= 2 ** 63) return undefined;
  // Values below 10^k (exclusive) have k digits before the point; up to B inclusive, as many as B has.
  const exponent = Math.log10(bound.value);
  const whole = bound.exclusive && Number.isInteger(exponent) ? exponent : Math.floor(Math.log10(Math.max(1, bound.value))) + 1;
  const precision = whole + scale;
  return precision >= 1 && precision <= MAX_DECIMAL_PRECISION ? { precision, scale } : undefined;
}

/** s for a multipleOf of 10^-s (0 ≤ s ≤ 38), else undefined. */
function powerOfTenScale(multipleOf: unknown): number | undefined {
  if (typeof multipleOf !== "number" || !(multipleOf > 0)) return undefined;
  const [mantissa, exponent] = multipleOf.toExponential().split("e");
  if (mantissa !== "1") return undefined;
  const scale = -Number(exponent);
  return scale >= 0 && scale <= MAX_DECIMAL_PRECISION ? scale : undefined;
}

/** The larger of |maximum| and |minimum| and whether it is exclusive (draft-04's boolean flags or draft-06's numbers); undefined unless both sides are bounded. */
function largerBound(property: JsonSchema): { value: number; exclusive: boolean } | undefined {
  const side = (bound: "maximum" | "minimum", exclusive: "exclusiveMaximum" | "exclusiveMinimum"): { value: number; exclusive: boolean } | undefined => {
    const flag = property[exclusive];
    if (typeof flag === "number") return { value: Math.abs(flag), exclusive: true };
    const value = property[bound];
    return typeof value === "number" && Number.isFinite(value) ? { value: Math.abs(value), exclusive: flag === true } : undefined;
  };
  const upper = side("maximum", "exclusiveMaximum");
  const lower = side("minimum", "exclusiveMinimum");
  if (upper === undefined || lower === undefined) return undefined;
  return upper.value > lower.value || (upper.value === lower.value && !upper.exclusive) ? upper : lower;
}
