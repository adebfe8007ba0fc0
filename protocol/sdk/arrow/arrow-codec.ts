import { DataError } from "../../errors.js";
import { decimalParts, isExactNumber } from "../../values/exact-number.js";
import { stringifyJson } from "../../values/exact-json.js";
import { JSON_COLUMN_KEY, type ArrowColumn } from "./arrow-columns.js";
import { loadArrow, type ArrowModule } from "./lazy-modules.js";
import { epochDaysOf, epochMicroseconds } from "../../values/instants.js";
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
