import { DataError } from "../../errors.js";
import { ProtocolCodes } from "../../messages/codes.js";
import { parseJson } from "../../values/exact-json.js";
import { numberFromText } from "../../values/exact-number.js";
import { isoFromEpoch, type Instant } from "../../values/instants.js";
import { JSON_COLUMN_KEY, type ReadKind } from "./arrow-columns.js";
import { loadArrow } from "./lazy-modules.js";

/* Arrow batches read back into records, every value exact: 64-bit integers past 2^53 as ExactNumbers, timestamps to their unit. */

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
