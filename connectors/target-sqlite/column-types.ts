import { DataError, decimalParts, isExactNumber, stringifyJson, valueKind, type ExactNumber, type JsonSchema, type ValueKind } from "../../protocol/index.js";
import { TargetSqliteCodes } from "./codes.js";

/** Column types of a STRICT SQLite table. */
export type SqlType = "INTEGER" | "REAL" | "TEXT" | "ANY";

/** How one schema property is stored: its column type and how a value is encoded for it. */
export interface ColumnKind {
  readonly sqlType: SqlType;
  /** "json": objects and arrays as JSON text; "boolean": 1/0; "plain": as is. */
  readonly encoding: "json" | "boolean" | "plain" | "any";
}

/**
 * The column for each kind of property (valueKind): integer → INTEGER (64
 * bits), number → ANY (a double as REAL; a decimal a double cannot hold as
 * TEXT, every digit kept), boolean → INTEGER (1/0), strings (dates and
 * times included) → TEXT, objects and arrays → TEXT holding JSON, several
 * types or none said → ANY.
 */
const COLUMNS: Record<ValueKind, ColumnKind> = {
  integer: { sqlType: "INTEGER", encoding: "plain" },
  number: { sqlType: "ANY", encoding: "plain" },
  boolean: { sqlType: "INTEGER", encoding: "boolean" },
  string: { sqlType: "TEXT", encoding: "plain" },
  "date-time": { sqlType: "TEXT", encoding: "plain" },
  date: { sqlType: "TEXT", encoding: "plain" },
  time: { sqlType: "TEXT", encoding: "plain" },
  json: { sqlType: "TEXT", encoding: "json" },
  any: { sqlType: "ANY", encoding: "any" },
};

export function columnKind(schema: JsonSchema | undefined): ColumnKind {
  return COLUMNS[valueKind(schema)];
}

export type SqlValue = number | string | bigint | null | Buffer;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A record value as SQLite takes it, for a column of `kind`; `field` names the column in a refusal. */
export function encodeValue(value: unknown, kind: ColumnKind, field: string): SqlValue {
  if (value === undefined || value === null) return null;
  const type = typeof value;
  // Objects first: an exact number is one, so plain numbers and strings (nearly every value) pay no check for it.
  if (type === "object") return isExactNumber(value) ? exactValue(value, kind, field) : stringifyJson(value);
  if (type === "boolean") return value ? 1 : 0;
  if (kind.encoding === "json" && type === "string") return JSON.stringify(value);
  return value as SqlValue;
}

/**
 * A number a double cannot hold: an integer in int64 as a 64-bit INTEGER;
 * anything else as its text where the column takes text (ANY), and refused
 * by an INTEGER or REAL column, which would change it.
 */
function exactValue(value: ExactNumber, kind: ColumnKind, field: string): SqlValue {
  if (kind.encoding === "json") return value.text;
  const integer = int64Of(value);
  // -0 is 0 to an INTEGER column; a number column keeps its sign as text.
  if (integer !== undefined && (kind.sqlType === "INTEGER" || !value.text.startsWith("-0"))) return integer;
  if (kind.sqlType === "ANY" || kind.sqlType === "TEXT") return value.text;
  throw new DataError(
    TargetSqliteCodes.VALUE_OUT_OF_RANGE,
    `${value.text} does not fit a SQLite ${kind.sqlType} column (${kind.sqlType === "INTEGER" ? "64-bit integers" : "doubles"})`,
    {
      where: { field },
      hint: "Declare the property as a number (stored with every digit), or send a value the column holds.",
    },
  );
}

/** The number as a 64-bit integer, when it is a whole number that fits one. */
function int64Of(value: ExactNumber): bigint | undefined {
  if (!value.isInteger) return undefined;
  // A BigInt of 1e400000 would take a while to make: past 20 digits it cannot fit anyway.
  const { digits, exponent } = decimalParts(value.text);
  if (digits.length + Math.max(0, exponent) > 20) return undefined;
  const integer = value.toBigInt();
  return integer >= INT64_MIN && integer <= INT64_MAX ? integer : undefined;
}
