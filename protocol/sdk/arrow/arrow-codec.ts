import { DataError } from "../../errors.js";
import { decimalParts, isExactNumber } from "../../values/exact-number.js";
import { stringifyJson } from "../../values/exact-json.js";
import { JSON_COLUMN_KEY, type ArrowColumn, type ArrowKind, type ReadKind } from "./arrow-columns.js";
import { loadArrow } from "./lazy-modules.js";

type Row = Readonly<Record<string, unknown>>;

/** A record's value of a column (own properties only: a column named constructor is the record's). */
function valueOf(record: Row, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** One value as the column's kind holds it; a value of another type is a DataError naming the column. */
function toArrowValue(value: unknown, column: ArrowColumn, stream: string): unknown {
  if (value === undefined || value === null) return null;
  const wrong = (): DataError =>
    new DataError("ARROW_VALUE_MISMATCH", `column ${JSON.stringify(column.name)} is ${column.kind} but a record holds ${isExactNumber(value) ? "number" : typeof value} ${stringifyJson(value)}`.slice(0, 300), {
      where: { stream, field: column.name },
      hint: "Fix the value at the source, or the stream's schema if the column's type is wrong.",
    });
  switch (column.kind) {
    case "int64":
      return int64Of(value, wrong, () => outOfRange(value, column, stream));
    case "float64":
      if (isExactNumber(value)) throw outOfRange(value, column, stream);
      if (typeof value !== "number") throw wrong();
      return value;
    case "bool":
      if (typeof value !== "boolean") throw wrong();
      return value;
    case "utf8":
      if (typeof value !== "string") throw wrong();
      return value;
    case "json":
      return stringifyJson(value);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer as int64 holds it: exactly (an ExactNumber's digits), or refused when it does not fit 64 bits. */
function int64Of(value: unknown, wrong: () => DataError, tooBig: () => DataError): bigint {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw wrong();
    if (Number.isSafeInteger(value)) return BigInt(value);
  } else if (!isExactNumber(value) || !value.isInteger) throw wrong();
  const { digits, exponent } = decimalParts(isExactNumber(value) ? value.text : String(value));
  if (digits.length + exponent > 19) throw tooBig();
  const integer = isExactNumber(value) ? value.toBigInt() : BigInt(value);
  if (integer < INT64_MIN || integer > INT64_MAX) throw tooBig();
  return integer;
}

/** A number the column's type would change: refused, never wrapped or rounded. */
function outOfRange(value: unknown, column: ArrowColumn, stream: string): DataError {
  const text = isExactNumber(value) ? value.text : String(value);
  const holds = column.kind === "int64" ? "64-bit integers" : "doubles (about 15 significant digits)";
  return new DataError("VALUE_OUT_OF_RANGE", `column ${JSON.stringify(column.name)} holds ${holds}: ${text.slice(0, 100)} does not fit`, {
    where: { stream, field: column.name },
    hint: "Send the value as a string, or to a target that stores it exactly (target-postgres: numeric; target-jsonl).",
  });
}

/** The bytes of an Arrow IPC stream holding `records` in `columns`. */
export function encodeArrowBatch(columns: readonly ArrowColumn[], records: readonly Row[], stream: string): Promise<Uint8Array> {
  return encodeArrowColumns(
    columns,
    columns.map((column) => records.map((record) => valueOf(record, column.name))),
    records.length,
    stream,
  );
}

/**
 * The bytes of an Arrow IPC stream of `rows` rows whose column `i` holds
 * `values[i]` (as records hold them: a missing value is undefined or null),
 * for writers that gather columns rather than records.
 */
export async function encodeArrowColumns(columns: readonly ArrowColumn[], values: ReadonlyArray<readonly unknown[]>, rows: number, stream: string): Promise<Uint8Array> {
  const { Bool, Field, Float64, Int64, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray } = await loadArrow();
  const typeOf = (kind: ArrowKind) => (kind === "int64" ? new Int64() : kind === "float64" ? new Float64() : kind === "bool" ? new Bool() : new Utf8());
  const fields = columns.map((column) => new Field(column.name, typeOf(column.kind), true, column.kind === "json" ? new Map([[JSON_COLUMN_KEY, "1"]]) : undefined));
  const children = columns.map((column, index) => {
    const vector = vectorFromArray(
      (values[index] ?? []).map((value) => toArrowValue(value, column, stream)),
      (fields[index] as (typeof fields)[number]).type,
    );
    return vector.data[0] as (typeof vector.data)[number];
  });
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }));
  return tableToIPC(new Table([batch]), "stream");
}

/** The columns of an Arrow schema as this codec reads them (an unknown type is reported by the caller). */
export interface DecodedBatch {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ReadKind | undefined; readonly type: string }>;
  readonly rows: number;
  /** The records, built as JSON.parse would build them (own properties, `__proto__` included). */
  records(): Generator<Record<string, unknown>>;
}

/** apache-arrow's type ids (Arrow's format `Type` enum), for telling kinds apart without loading the library. */
const TYPE_ID = { Int: 2, Float: 3, Utf8: 5, Bool: 6, Date: 8, Timestamp: 10, LargeUtf8: 20 } as const;

/** The kind records see for a column of Arrow type `type`; undefined for a type the batch lane does not carry. */
export function kindOfField(type: { readonly typeId: number }, json: boolean): ReadKind | undefined {
  switch (type.typeId) {
    case TYPE_ID.Int:
      return "int64";
    case TYPE_ID.Float:
      return "float64";
    case TYPE_ID.Bool:
      return "bool";
    case TYPE_ID.Utf8:
    case TYPE_ID.LargeUtf8:
      return json ? "json" : "utf8";
    case TYPE_ID.Timestamp:
      return "timestamp";
    case TYPE_ID.Date:
      return "date";
    default:
      return undefined;
  }
}

/** A value as the record holds it: integers as numbers, JSON text parsed, timestamps and dates as ISO text (apache-arrow gives both as epoch milliseconds). */
export function recordValue(raw: unknown, kind: ReadKind | undefined): unknown {
  if (raw === null || raw === undefined) return null;
  switch (kind) {
    case "int64":
      return Number(raw as bigint | number);
    case "json":
      return JSON.parse(raw as string) as unknown;
    case "timestamp":
      return new Date(raw as number).toISOString();
    case "date":
      return new Date(raw as number).toISOString().slice(0, 10);
    default:
      return raw;
  }
}

/** Reads an Arrow IPC stream (or file) held in memory. Throws what apache-arrow throws for bytes that are not one. */
export async function decodeArrowBatch(bytes: Uint8Array): Promise<DecodedBatch> {
  const { tableFromIPC } = await loadArrow();
  const table = tableFromIPC(bytes);
  const columns = table.schema.fields.map((field) => ({ name: field.name, type: String(field.type), kind: kindOfField(field.type, field.metadata.get(JSON_COLUMN_KEY) === "1") }));
  const vectors = columns.map((_, index) => table.getChildAt(index));
  return {
    columns,
    rows: table.numRows,
    *records() {
      for (let row = 0; row < table.numRows; row += 1) {
        const record: Record<string, unknown> = {};
        columns.forEach((column, index) => {
          const value = recordValue(vectors[index]?.get(row), column.kind);
          // As JSON.parse makes it: an own property, even for the name __proto__.
          Object.defineProperty(record, column.name, { value, enumerable: true, writable: true, configurable: true });
        });
        yield record;
      }
    },
  };
}

/** The first value of `record` that its column cannot hold, as a DataError naming the column; undefined when all fit. */
export function arrowRowProblem(columns: readonly ArrowColumn[], record: Row, stream: string): DataError | undefined {
  for (const column of columns) {
    try {
      toArrowValue(valueOf(record, column.name), column, stream);
    } catch (error) {
      if (error instanceof DataError) return error;
      throw error;
    }
  }
  return undefined;
}
