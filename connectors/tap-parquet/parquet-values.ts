import type { FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DataError, isoFromEpoch, numberFromText } from "../../protocol/tap.js";
import { isDecimalColumn, isTextColumn, parquetShape } from "./parquet-shapes.js";
import { TapParquetCodes } from "./codes.js";

/**
 * How tap-parquet turns what hyparquet decodes into record values that keep
 * their meaning: integers of any width exactly (past 2^53 as ExactNumbers),
 * decimals exactly from their unscaled integers, timestamps to the unit
 * the file holds (milli-, micro- or nanoseconds) as RFC 3339 text, bytes as
 * base64, and NaN/±Infinity never silently null (see NonFinite).
 */

/** A timestamp whose year RFC 3339 cannot write (before 0000 or after 9999): refused, naming the column. */
class OutOfRangeTime {
  constructor(readonly description: string) {}
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Epoch time in `unit`s per second as RFC 3339 text (see isoFromEpoch), or an OutOfRangeTime the value reader refuses. */
function timeText(value: bigint | number, perSecond: bigint, digits: number): string | OutOfRangeTime {
  const text = isoFromEpoch(value, perSecond, digits);
  return "value" in text ? text.value : new OutOfRangeTime(text.refused);
}

/** hyparquet's parsers, made exact: times as text to their unit, dates as text, JSON as its text. */
export const EXACT_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis) => timeText(millis, 1000n, 3) as unknown as Date,
  timestampFromMicroseconds: (micros) => timeText(micros, 1_000_000n, 6) as unknown as Date,
  timestampFromNanoseconds: (nanos) => timeText(nanos, 1_000_000_000n, 9) as unknown as Date,
  dateFromDays: (days) => {
    const text = timeText(BigInt(days) * 86_400_000n, 1000n, 3);
    return (typeof text === "string" ? text.slice(0, 10) : new OutOfRangeTime(`${days} (days since 1970)`)) as unknown as Date;
  },
  jsonFromBytes: (bytes) => new TextDecoder().decode(bytes),
};

/** The options every read of a file's rows takes: all the format's codecs, bytes left as bytes unless annotated as text. */
export const READ_OPTIONS = { compressors, utf8: false, parsers: EXACT_PARSERS } as const;

/**
 * The metadata to decode with: decimal columns without their annotation, so
 * hyparquet hands back the unscaled integers (it would multiply them by a
 * double), which `valueReader` scales exactly.
 */
export function withRawDecimals(metadata: FileMetaData): FileMetaData {
  if (!metadata.schema.some(isDecimalColumn)) return metadata;
  const schema = metadata.schema.map((element) => {
    if (!isDecimalColumn(element)) return element;
    const { converted_type: _converted, logical_type: _logical, ...rest } = element;
    return rest as SchemaElement;
  });
  return { ...metadata, schema };
}

/** What a reader counts as it goes, for the run's summary. */
export interface NonFinite {
  /** NaN and ±Infinity written as null, by column. */
  readonly byColumn: Map<string, number>;
}

export type ValueReader = (value: unknown, column: string, nonFinite: NonFinite | undefined) => unknown;

/**
 * The reader of one column's (or group's) values, built once from the
 * file's schema (the original, annotations included). `nonFinite`
 * undefined: a NaN or ±Infinity is a DataError (the row is a bad row);
 * otherwise it is null and counted.
 */
export function valueReader(node: SchemaTree, role: "field" | "element" = "field"): ValueReader {
  const shape = parquetShape(node, role);
  switch (shape.kind) {
    case "list": {
      const item = shape.item === undefined ? plainValue : valueReader(shape.item, "element");
      const listOf: ValueReader = (value, column, nonFinite) => (value as unknown[]).map((entry) => item(entry, column, nonFinite));
      if (shape.form === "two-level") {
        // hyparquet gives such a list that is empty as null, and one that is null as no value at all.
        return (value, column, nonFinite) => (Array.isArray(value) ? listOf(value, column, nonFinite) : value === null ? [] : null);
      }
      if (shape.form === "group" && shape.item !== undefined && shape.item.children.length === 1) {
        // A one-field group as the element: hyparquet gives the field's value, the element is the group holding it.
        const field = (shape.item.children[0] as SchemaTree).element.name;
        const wrapped: ValueReader = (value, column, nonFinite) =>
          (value as unknown[]).map((entry) =>
            item(
              typeof entry === "object" && entry !== null && !Array.isArray(entry) && !(entry instanceof Uint8Array) ? entry : { [field]: entry },
              column,
              nonFinite,
            ),
          );
        return (value, column, nonFinite) => (Array.isArray(value) ? wrapped(value, column, nonFinite) : nullOr(value));
      }
      return (value, column, nonFinite) => (Array.isArray(value) ? listOf(value, column, nonFinite) : nullOr(value));
    }
    case "repeated": {
      // Never null: no values is an empty list (hyparquet gives it as null).
      const item = valueReader(node, "element");
      return (value, column, nonFinite) => (Array.isArray(value) ? value.map((entry) => item(entry, column, nonFinite)) : []);
    }
    case "map": {
      if (shape.keysOnly) return (value) => keysOnlyMap(value);
      const read = shape.value === undefined ? plainValue : valueReader(shape.value);
      return (value, column, nonFinite) => mapObject(value, (entry) => read(entry, column, nonFinite));
    }
    case "struct": {
      const fields = new Map(shape.fields.map((child) => [child.element.name, valueReader(child)]));
      return (value, column, nonFinite) => mapObject(value, (entry, key) => (fields.get(key) ?? plainValue)(entry, column, nonFinite));
    }
    case "leaf":
      break;
  }
  const { element } = node;
  if (isDecimalColumn(element)) {
    const scale = element.scale ?? 0;
    return (value) => (value === null || value === undefined ? null : numberFromText(decimalText(unscaled(value), scale)));
  }
  const text = isTextColumn(element);
  return (value, column, nonFinite) => leafValue(value, column, nonFinite, text);
}

function leafValue(value: unknown, column: string, nonFinite: NonFinite | undefined, bytesAreText: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : numberFromText(value.toString());
  if (typeof value === "number") {
    if (Number.isFinite(value)) return value;
    if (nonFinite === undefined) {
      throw new DataError(TapParquetCodes.PARQUET_NOT_A_NUMBER, `column ${column} holds ${value}, which JSON cannot write`, {
        hint: 'Set "non_finite_numbers" to "null" to write such values as null (counted in the summary).',
      });
    }
    nonFinite.byColumn.set(column, (nonFinite.byColumn.get(column) ?? 0) + 1);
    return null;
  }
  if (value instanceof OutOfRangeTime) {
    throw new DataError(
      TapParquetCodes.PARQUET_TIME_OUT_OF_RANGE,
      `column ${column} holds the time ${value.description}, outside the years 0000–9999 that date-time text can write`,
      {
        hint: "Fix the value at the source, or leave the column out of the catalog.",
      },
    );
  }
  if (value instanceof Uint8Array)
    return bytesAreText ? new TextDecoder().decode(value) : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  return typeof value === "object" ? plainValue(value, column, nonFinite) : value;
}

/** A value of a column or key the schema says nothing more of. */
function plainValue(value: unknown, column: string, nonFinite: NonFinite | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => plainValue(item, column, nonFinite));
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array) && !(value instanceof OutOfRangeTime))
    return mapObject(value, (item) => plainValue(item, column, nonFinite));
  return leafValue(value, column, nonFinite, false);
}

/** An object's values mapped, as a record with no prototype to trip over (a key named __proto__ is data). */
function mapObject(value: unknown, map: (item: unknown, key: string) => unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== "object" || Array.isArray(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value))
    Object.defineProperty(result, key, { value: map(item, key), enumerable: true, writable: true, configurable: true });
  return result;
}

/** A map whose pairs have keys only: each key maps to null (hyparquet gives the pairs as { key_value: [{ key }] }). */
function keysOnlyMap(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const pairs = (value as { key_value?: unknown }).key_value;
  const keys = Array.isArray(pairs) ? pairs.map((pair) => String((pair as { key?: unknown }).key)) : Object.keys(value as object);
  const result: Record<string, unknown> = {};
  for (const key of keys) Object.defineProperty(result, key, { value: null, enumerable: true, writable: true, configurable: true });
  return result;
}

function nullOr(value: unknown): unknown {
  return value === undefined ? null : value;
}

/** A decimal's unscaled integer: INT32 or INT64 as they come, or big-endian two's complement bytes. */
function unscaled(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(value);
  const bytes = value as Uint8Array;
  if (bytes.length === 0) return 0n;
  let result = 0n;
  for (const byte of bytes) result = (result << 8n) | BigInt(byte);
  // The sign bit of the first byte: two's complement.
  return (bytes[0] as number) & 0x80 ? result - (1n << BigInt(bytes.length * 8)) : result;
}

/** An unscaled integer and a scale as decimal text: (-12345, 2) → "-123.45". */
function decimalText(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  if (scale <= 0) return `${negative ? "-" : ""}${digits}${"0".repeat(-scale)}`;
  const padded = digits.padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}
