import { DataError } from "../../errors.js";
import { decimalParts, isExactNumber, numberFromText } from "../../values/exact-number.js";
import { parseJson, stringifyJson } from "../../values/exact-json.js";
import { JSON_COLUMN_KEY, type ArrowColumn, type ReadKind } from "./arrow-columns.js";
import { loadArrow, type ArrowModule } from "./lazy-modules.js";
import { epochDaysOf, epochMicroseconds, isoFromEpoch, type Instant } from "../../values/instants.js";
import { ProtocolCodes } from "../../messages/codes.js";

type Row = Readonly<Record<string, unknown>>;

/** A record's value of a column (own properties only: a column named constructor is the record's). */
function columnValue(record: Row, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

/** One value as the column's kind holds it; a value of another type is a DataError naming the column. */
function toArrowValue(value: unknown, column: ArrowColumn, stream: string): unknown {
  if (value === undefined || value === null) return null;
  const wrong = (): DataError =>
    new DataError(
      ProtocolCodes.ARROW_VALUE_MISMATCH,
      `column ${JSON.stringify(column.name)} is ${column.kind} but a record holds ${isExactNumber(value) ? "number" : typeof value} ${stringifyJson(value)}`.slice(
        0,
        300,
      ),
      {
        where: { stream, field: column.name },
        hint: "Fix the value at the source, or the stream's schema if the column's type is wrong.",
      },
    );
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
    case "decimal":
      return unscaledOf(value, column, stream, wrong);
    case "timestamp":
    case "date": {
      if (typeof value !== "string") throw wrong();
      const instant = column.kind === "timestamp" ? epochMicroseconds(value) : epochDaysOf(value);
      if ("refused" in instant) throw notAnInstant(value, instant.refused, column, stream);
      return instant.value;
    }
  }
}

/**
 * A number as a decimal column of `column.decimal` holds it: its unscaled
 * integer (the value times 10^scale), exactly, from its decimal digits.
 * Refused when it has more digits after the point than the scale (a
 * database would round it) or more before it than the precision leaves.
 */
function unscaledOf(value: unknown, column: ArrowColumn, stream: string, wrong: () => DataError): bigint {
  if (typeof value !== "number" && !isExactNumber(value)) throw wrong();
  if (typeof value === "number" && !Number.isFinite(value)) throw wrong();
  const { precision, scale } = column.decimal ?? { precision: 38, scale: 0 };
  const text = isExactNumber(value) ? value.text : String(value);
  const { negative, digits, exponent } = decimalParts(text);
  if (digits === "") return 0n;
  const refuse = (why: string): DataError =>
    new DataError(
      ProtocolCodes.VALUE_OUT_OF_RANGE,
      `column ${JSON.stringify(column.name)} holds DECIMAL(${precision},${scale}): ${text.slice(0, 100)} ${why}`,
      {
        where: { stream, field: column.name },
        hint: "Fix the value at the source, or the schema's multipleOf and bounds if the column should hold it.",
      },
    );
  if (exponent < -scale) throw refuse(`has more than ${scale} digit(s) after the point`);
  if (digits.length + exponent > precision - scale) throw refuse(`has more than ${precision - scale} digit(s) before the point`);
  const unscaled = BigInt(digits) * 10n ** BigInt(exponent + scale);
  return negative ? -unscaled : unscaled;
}

/** A date-time or date a timestamp or date column cannot hold exactly: refused, never truncated or moved. */
function notAnInstant(value: string, why: string, column: ArrowColumn, stream: string): DataError {
  // Text that is no date-time at all does not match the column; one it cannot hold exactly is out of its range.
  const code = why.startsWith("is not") ? "ARROW_VALUE_MISMATCH" : "VALUE_OUT_OF_RANGE";
  return new DataError(
    code,
    `column ${JSON.stringify(column.name)} holds ${column.kind === "timestamp" ? "timestamps in microseconds" : "dates"}: ${JSON.stringify(value.slice(0, 60))} ${why}`,
    {
      where: { stream, field: column.name },
      hint: "Send the value as the column's type holds it, or declare the property as a plain string to keep its text.",
    },
  );
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
  return new DataError(ProtocolCodes.VALUE_OUT_OF_RANGE, `column ${JSON.stringify(column.name)} holds ${holds}: ${text.slice(0, 100)} does not fit`, {
    where: { stream, field: column.name },
    hint: "Send the value as a string, or to a target that stores it exactly (target-postgres: numeric; target-jsonl).",
  });
}

/** The bytes of an Arrow IPC stream holding `records` in `columns`. */
export function encodeArrowBatch(columns: readonly ArrowColumn[], records: readonly Row[], stream: string): Promise<Uint8Array> {
  return encodeArrowColumns(
    columns,
    columns.map((column) => records.map((record) => columnValue(record, column.name))),
    records.length,
    stream,
  );
}

/**
 * The bytes of an Arrow IPC stream of `rows` rows whose column `i` holds
 * `values[i]` (as records hold them: a missing value is undefined or null),
 * for writers that gather columns rather than records.
 */
export async function encodeArrowColumns(
  columns: readonly ArrowColumn[],
  values: ReadonlyArray<readonly unknown[]>,
  rows: number,
  stream: string,
): Promise<Uint8Array> {
  const arrow = await loadArrow();
  const {
    Bool,
    DateDay,
    Decimal,
    Field,
    Float64,
    Int64,
    makeData,
    RecordBatch,
    Schema,
    Struct,
    Table,
    tableToIPC,
    TimestampMicrosecond,
    Utf8,
    vectorFromArray,
  } = arrow;
  const typeOf = (column: ArrowColumn) => {
    switch (column.kind) {
      case "int64":
        return new Int64();
      case "float64":
        return new Float64();
      case "bool":
        return new Bool();
      case "timestamp":
        return new TimestampMicrosecond("UTC");
      case "date":
        return new DateDay();
      case "decimal":
        return new Decimal(column.decimal?.scale ?? 0, column.decimal?.precision ?? 38, 128);
      default:
        return new Utf8();
    }
  };
  const fields = columns.map((column) => new Field(column.name, typeOf(column), true, column.kind === "json" ? new Map([[JSON_COLUMN_KEY, "1"]]) : undefined));
  const children = columns.map((column, index) => {
    const converted = (values[index] ?? []).map((value) => toArrowValue(value, column, stream));
    const type = (fields[index] as (typeof fields)[number]).type;
    // apache-arrow's builders take timestamps and dates as epoch milliseconds (a double), decimals not at all: the counts go in as they are.
    if (column.kind === "timestamp" || column.kind === "date")
      return countsData(arrow, type, converted, column.kind === "timestamp" ? BigInt64Array : Int32Array);
    if (column.kind === "decimal") return decimalData(arrow, type, converted);
    const vector = vectorFromArray(converted, type);
    return vector.data[0] as (typeof vector.data)[number];
  });
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: rows, nullCount: 0, children }));
  return tableToIPC(new Table([batch]), "stream");
}

/** The data of a timestamp or date column from its counts (null where a row has none), with its validity bitmap. */
function countsData(
  arrow: ArrowModule,
  type: ArrowModule["DataType"]["prototype"],
  counts: readonly unknown[],
  Values: BigInt64ArrayConstructor | Int32ArrayConstructor,
) {
  const values = new Values(counts.length) as unknown as { [row: number]: number | bigint };
  return fixedWidthData(arrow, type, counts, values, (row, count) => {
    values[row] = count as number | bigint;
  });
}

/** The data of a decimal128 column from unscaled integers (null where a row has none): four little-endian 32-bit words each, two's complement. */
function decimalData(arrow: ArrowModule, type: ArrowModule["DataType"]["prototype"], unscaled: readonly unknown[]) {
  const words = new Uint32Array(unscaled.length * 4);
  return fixedWidthData(arrow, type, unscaled, words, (row, value) => {
    let bits = BigInt.asUintN(128, value as bigint);
    for (let word = 0; word < 4; word += 1) {
      words[row * 4 + word] = Number(bits & 0xffff_ffffn);
      bits >>= 32n;
    }
  });
}

/** A column's data whose values `write` puts in `data` row by row, with the validity bitmap of its nulls. */
function fixedWidthData(
  arrow: ArrowModule,
  type: ArrowModule["DataType"]["prototype"],
  values: readonly unknown[],
  data: unknown,
  write: (row: number, value: unknown) => void,
) {
  const validity = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  values.forEach((value, row) => {
    if (value === null) {
      nulls += 1;
      return;
    }
    write(row, value);
    validity[row >> 3] = (validity[row >> 3] as number) | (1 << (row & 7));
  });
  return arrow.makeData({ type: type as never, length: values.length, nullCount: nulls, nullBitmap: nulls === 0 ? null : validity, data: data as never });
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

/** The parts of an apache-arrow Vector a cell reader needs. */
interface ColumnVector {
  readonly type: { readonly unit?: number };
  readonly data: ReadonlyArray<{ readonly length: number; readonly offset: number; readonly values: ArrayLike<number | bigint> }>;
  get(row: number): unknown;
  isValid(row: number): boolean;
}

/** Arrow's TimeUnit: SECOND, MILLISECOND, MICROSECOND, NANOSECOND. */
const PER_SECOND = [1n, 1000n, 1_000_000n, 1_000_000_000n] as const;
const FRACTION_DIGITS = [0, 3, 6, 9] as const;

/**
 * Reads the cells of a column as a record holds them, every value exact:
 * integers as numbers (past 2^53 as ExactNumbers), JSON text parsed (exact
 * numbers kept), timestamps as RFC 3339 text to the column's unit (apache-
 * arrow's own reading gives milliseconds, losing micro- and nanoseconds),
 * dates as YYYY-MM-DD. `name` names the column in a refusal.
 */
export function cellReader(vector: ColumnVector, kind: ReadKind | undefined, name: string): (row: number) => unknown {
  switch (kind) {
    case "int64":
      return (row) => {
        const value = vector.get(row);
        if (typeof value !== "bigint") return value ?? null;
        return value >= MIN_SAFE && value <= MAX_SAFE ? Number(value) : numberFromText(value.toString());
      };
    case "json":
      return (row) => {
        const value = vector.get(row);
        return value === null || value === undefined ? null : parseJson(value as string);
      };
    case "timestamp": {
      const unit = vector.type.unit ?? 1;
      const count = rawCounts(vector);
      return (row) => {
        const raw = count(row);
        return raw === null ? null : instantText(isoFromEpoch(raw, PER_SECOND[unit] ?? 1000n, FRACTION_DIGITS[unit] ?? 3), name);
      };
    }
    case "date": {
      // DateDay counts days; DateMillisecond milliseconds.
      const days = (vector.type.unit ?? 0) === 0;
      const count = rawCounts(vector);
      return (row) => {
        const raw = count(row);
        if (raw === null) return null;
        return instantText(isoFromEpoch(days ? BigInt(raw) * 86_400_000n : raw, 1000n, 3), name).slice(0, 10);
      };
    }
    default:
      return (row) => vector.get(row) ?? null;
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function instantText(text: Instant<string>, name: string): string {
  if ("value" in text) return text.value;
  throw new DataError(
    ProtocolCodes.TIME_OUT_OF_RANGE,
    `column ${JSON.stringify(name)} holds the time ${text.refused}, outside the years 0000–9999 that date-time text can write`,
    {
      where: { field: name },
      hint: "Fix the value at the source, or leave the column out of the catalog.",
    },
  );
}

/** The stored count of each row (a timestamp's or date's), null where the row has none. */
function rawCounts(vector: ColumnVector): (row: number) => number | bigint | null {
  const starts: number[] = [];
  let start = 0;
  for (const chunk of vector.data) {
    starts.push(start);
    start += chunk.length;
  }
  return (row) => {
    if (!vector.isValid(row)) return null;
    let chunk = vector.data.length - 1;
    while (chunk > 0 && (starts[chunk] as number) > row) chunk -= 1;
    const data = vector.data[chunk] as ColumnVector["data"][number];
    return data.values[data.offset + row - (starts[chunk] as number)] as number | bigint;
  };
}

/** Reads an Arrow IPC stream (or file) held in memory. Throws what apache-arrow throws for bytes that are not one. */
export async function decodeArrowBatch(bytes: Uint8Array): Promise<DecodedBatch> {
  const { tableFromIPC } = await loadArrow();
  const table = tableFromIPC(bytes);
  const columns = table.schema.fields.map((field) => ({
    name: field.name,
    type: String(field.type),
    kind: kindOfField(field.type, field.metadata.get(JSON_COLUMN_KEY) === "1"),
  }));
  const readers = columns.map((column, index) => cellReader(table.getChildAt(index) as unknown as ColumnVector, column.kind, column.name));
  return {
    columns,
    rows: table.numRows,
    *records() {
      for (let row = 0; row < table.numRows; row += 1) {
        const record: Record<string, unknown> = {};
        columns.forEach((column, index) => {
          const value = (readers[index] as (row: number) => unknown)(row);
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
      toArrowValue(columnValue(record, column.name), column, stream);
    } catch (error) {
      if (error instanceof DataError) return error;
      throw error;
    }
  }
  return undefined;
}
