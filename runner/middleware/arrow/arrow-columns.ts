import { cellReader, JSON_COLUMN_KEY, kindOfField, loadArrow } from "../../../protocol/index.js";
import type { ArrowTable } from "../types.js";

type Field = ArrowTable["schema"]["fields"][number];

/**
 * The table with the columns `pick` keeps, under the names it gives them
 * (same order), sharing the column buffers: no value is copied or read.
 */
async function reshape(table: ArrowTable, pick: (field: Field) => string | undefined): Promise<ArrowTable> {
  const { makeData, RecordBatch, Schema, Struct, Table } = await loadArrow();
  const kept: Array<{ index: number; field: Field }> = [];
  table.schema.fields.forEach((field, index) => {
    const name = pick(field);
    if (name !== undefined) kept.push({ index, field: name === field.name ? field : field.clone({ name }) });
  });
  const fields = kept.map((entry) => entry.field);
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map(
    (batch) =>
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(fields),
          length: batch.numRows,
          nullCount: 0,
          children: kept.map((entry) => batch.data.children[entry.index] as NonNullable<(typeof batch.data.children)[number]>),
        }),
      ),
  );
  return new Table(schema, batches);
}

/** Only the columns `keep` holds for. */
export function keepColumns(table: ArrowTable, keep: (name: string) => boolean): Promise<ArrowTable> {
  return reshape(table, (field) => (keep(field.name) ? field.name : undefined));
}

/** Every column, under the name `renamed` gives it. */
export function renameColumns(table: ArrowTable, renamed: (name: string) => string): Promise<ArrowTable> {
  return reshape(table, (field) => renamed(field.name));
}

type Vector = ReturnType<ArrowTable["getChildAt"]> & object;
type Batch = ArrowTable["batches"][number];

/** How records see each column of the table (its kind). */
function kindsOf(table: ArrowTable): Array<ReturnType<typeof kindOfField>> {
  return table.schema.fields.map((field) => kindOfField(field.type, field.metadata.get(JSON_COLUMN_KEY) === "1"));
}

/**
 * Calls `visit` with each row of the table as a record (built as JSON.parse
 * would build it: `__proto__` an own field), for steps that judge rows one
 * by one (filter): the batch index, the row's index in it, and the record.
 */
export function forEachRow(table: ArrowTable, visit: (batch: number, row: number, record: Record<string, unknown>) => void): void {
  const kinds = kindsOf(table);
  const names = table.schema.fields.map((field) => field.name);
  table.batches.forEach((batch, batchIndex) => {
    const readers = names.map((name, index) => cellReader(batch.getChildAt(index) as Vector, kinds[index], name));
    for (let row = 0; row < batch.numRows; row += 1) {
      const record: Record<string, unknown> = {};
      for (const [index, name] of names.entries()) {
        Object.defineProperty(record, name, { value: (readers[index] as (row: number) => unknown)(row), enumerable: true, writable: true, configurable: true });
      }
      visit(batchIndex, row, record);
    }
  });
}

/** A validity bitmap (bit set: not null) of `rows` picked from `data`. */
function pickedBitmap(data: Batch["data"]["children"][number], rows: readonly number[]): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array(Math.ceil(rows.length / 8));
  let nulls = 0;
  rows.forEach((row, at) => {
    if (data.getValid(row)) bitmap[at >> 3] = (bitmap[at >> 3] as number) | (1 << (at & 7));
    else nulls += 1;
  });
  return { bitmap, nulls };
}

/**
 * The table with only the rows `keep` holds for, types and field metadata
 * unchanged. Values are copied exactly: a timestamp's raw count (µs, ns) is
 * taken as it is, not through milliseconds.
 */
export async function keepRows(table: ArrowTable, keep: (batch: number, row: number) => boolean): Promise<ArrowTable> {
  const { DataType, makeData, RecordBatch, Struct, Table, vectorFromArray } = await loadArrow();
  const fields = table.schema.fields;
  const batches = table.batches.map((batch, batchIndex) => {
    const rows: number[] = [];
    for (let row = 0; row < batch.numRows; row += 1) if (keep(batchIndex, row)) rows.push(row);
    const children = fields.map((field, index) => {
      const data = batch.data.children[index] as Batch["data"]["children"][number];
      if (DataType.isTimestamp(field.type)) {
        // A slice's values buffer starts at its first row (apache-arrow slices it); its validity bitmap goes by offset, which getValid reads.
        const values = data.values as BigInt64Array;
        const picked = new BigInt64Array(rows.map((row) => values[row] as bigint));
        const { bitmap, nulls } = pickedBitmap(data, rows);
        return makeData({ type: field.type, length: rows.length, nullCount: nulls, nullBitmap: nulls === 0 ? null : bitmap, data: picked });
      }
      const vector = batch.getChildAt(index) as Vector;
      return vectorFromArray(
        rows.map((row) => vector.get(row)),
        field.type,
      ).data[0] as Batch["data"]["children"][number];
    });
    return new RecordBatch(table.schema, makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children }));
  });
  return new Table(table.schema, batches);
}

/**
 * The table with the columns `names` replaced by text made from each value
 * (as records hold it; null stays null): utf8 columns, nullable, no longer
 * marked as JSON.
 */
export async function replaceWithText(table: ArrowTable, names: ReadonlySet<string>, text: (value: unknown) => string): Promise<ArrowTable> {
  const { Field, makeData, RecordBatch, Schema, Struct, Table, Utf8, vectorFromArray } = await loadArrow();
  const kinds = kindsOf(table);
  const fields = table.schema.fields.map((field) => (names.has(field.name) ? new Field(field.name, new Utf8(), true) : field));
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = table.schema.fields.map((field, index) => {
      const data = batch.data.children[index] as Batch["data"]["children"][number];
      if (!names.has(field.name)) return data;
      const read = cellReader(batch.getChildAt(index) as Vector, kinds[index], field.name);
      const values: Array<string | null> = [];
      for (let row = 0; row < batch.numRows; row += 1) {
        const value = read(row);
        values.push(value === null ? null : text(value));
      }
      return vectorFromArray(values, new Utf8()).data[0] as Batch["data"]["children"][number];
    });
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
  });
  return new Table(schema, batches);
}
