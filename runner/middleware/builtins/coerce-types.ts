import { hasField, setField } from "./record-fields.js";
import { DataError, isExactNumber, numberFromDecimalText, stringifyJson, type ExactNumber, type JsonSchema } from "../../../protocol/index.js";
import type { Middleware, RecordValue } from "../types.js";
import { propertiesOf, withProperties } from "./schema-edit.js";
import { RunnerCodes } from "../../errors.js";

export const COERCE_TYPES = ["string", "integer", "number", "boolean", "date-time"] as const;
export type CoerceType = (typeof COERCE_TYPES)[number];

function fail(field: string, type: string, value: unknown): never {
  throw new DataError(RunnerCodes.COERCE_FAILED, `field ${field}: cannot turn ${stringifyJson(value)} into ${type}`, { where: { field } });
}

function coerce(field: string, type: CoerceType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "string":
      if (isExactNumber(value)) return value.text;
      return typeof value === "object" ? stringifyJson(value) : String(value);
    case "integer":
    case "number": {
      const number = toNumber(value);
      if (isExactNumber(number)) return type === "integer" && !number.isInteger ? fail(field, type, value) : number;
      if (Number.isNaN(number) || (type === "integer" && !Number.isInteger(number))) return fail(field, type, value);
      return number;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      const text = String(value).trim().toLowerCase();
      if (["true", "1", "yes", "y", "t"].includes(text)) return true;
      if (["false", "0", "no", "n", "f"].includes(text)) return false;
      return fail(field, type, value);
    }
    default: {
      const time = typeof value === "number" ? new Date(value > 1e11 ? value : value * 1000) : new Date(String(value));
      if (Number.isNaN(time.getTime())) return fail(field, type, value);
      return time.toISOString();
    }
  }
}

/** A value as a number: a numeric string keeps every digit (an ExactNumber where a double would change it); NaN when it is none. */
function toNumber(value: unknown): number | ExactNumber {
  if (typeof value === "number" || isExactNumber(value)) return value;
  if (typeof value !== "string" || value.trim() === "") return Number.NaN;
  return numberFromDecimalText(value) ?? Number(value);
}

/** `coerce`: converts fields to a type (a value that cannot be converted sends the record to the DLQ). */
export function coerceTypes(name: string, fields: Readonly<Record<string, CoerceType>>, streams: readonly string[] | undefined): Middleware {
  const entries = Object.entries(fields);
  return {
    name,
    streams,
    transformSchema(shape) {
      const properties = { ...propertiesOf(shape.schema) };
      for (const [field, type] of entries) {
        setField(properties, field, (type === "date-time" ? { type: ["null", "string"], format: "date-time" } : { type: ["null", type] }) as JsonSchema);
      }
      return withProperties(shape, properties);
    },
    transform(record) {
      const result: RecordValue = { ...record };
      for (const [field, type] of entries) if (hasField(record, field)) setField(result, field, coerce(field, type, record[field]));
      return result;
    },
  };
}
