import { hasField, setField } from "./record-fields.js";
import { createHash, createHmac } from "node:crypto";
import { stringifyJson, type JsonSchema } from "../../../protocol/index.js";
import type { Middleware, RecordValue } from "../types.js";
import { propertiesOf, withProperties } from "./schema-edit.js";
import { replaceWithText } from "../arrow/arrow-columns.js";

const NULLABLE_STRING: JsonSchema = { type: ["null", "string"] };

function asText(value: unknown): string {
  return typeof value === "string" ? value : stringifyJson(value);
}

function protect(name: string, fields: readonly string[], streams: readonly string[] | undefined, replace: (value: unknown) => string): Middleware {
  const protectedFields = new Set(fields);
  return {
    name,
    streams,
    transformSchema(shape) {
      const properties = { ...propertiesOf(shape.schema) };
      for (const field of protectedFields) if (hasField(properties, field)) setField(properties, field, NULLABLE_STRING);
      return withProperties(shape, properties);
    },
    transform(record) {
      const result: RecordValue = { ...record };
      for (const field of protectedFields) {
        const value = hasField(record, field) ? record[field] : undefined;
        if (value !== null && value !== undefined) setField(result, field, replace(value));
      }
      return result;
    },
    // The same text from the same values, a column at a time.
    transformArrow: (table) => replaceWithText(table, protectedFields, replace),
  };
}

/** `mask`: replaces values with a mask, optionally keeping the last characters (`keep_last`). */
export function maskFields(name: string, fields: readonly string[], streams: readonly string[] | undefined, mask: string, keepLast: number): Middleware {
  return protect(name, fields, streams, (value) => {
    const text = asText(value);
    return keepLast > 0 ? `${mask}${text.slice(-keepLast)}` : mask;
  });
}

/**
 * `hash`: replaces values with a hex digest, so they can still be joined on
 * but not read. With a salt (keep it in an environment variable) it is an
 * HMAC, so short values cannot be recovered by guessing.
 */
export function hashFields(
  name: string,
  fields: readonly string[],
  streams: readonly string[] | undefined,
  algorithm: string,
  salt: string | undefined,
): Middleware {
  return protect(name, fields, streams, (value) =>
    (salt === undefined ? createHash(algorithm) : createHmac(algorithm, salt)).update(asText(value)).digest("hex"),
  );
}
