import type { ArrowTable } from "../types.js";

type Arrow = typeof import("apache-arrow");
let loaded: Promise<Arrow> | undefined;

/** apache-arrow, loaded by the first Arrow batch a middleware step sees. */
function arrow(): Promise<Arrow> {
  loaded ??= import("apache-arrow");
  return loaded;
}

type Field = ArrowTable["schema"]["fields"][number];

/**
 * The table with the columns `pick` keeps, under the names it gives them
 * (same order), sharing the column buffers: no value is copied or read.
 */
async function reshape(table: ArrowTable, pick: (field: Field) => string | undefined): Promise<ArrowTable> {
  const { makeData, RecordBatch, Schema, Struct, Table } = await arrow();
  const kept: Array<{ index: number; field: Field }> = [];
  table.schema.fields.forEach((field, index) => {
    const name = pick(field);
    if (name !== undefined) kept.push({ index, field: name === field.name ? field : field.clone({ name }) });
  });
  const fields = kept.map((entry) => entry.field);
  const schema = new Schema(fields, table.schema.metadata);
  const batches = table.batches.map(
    (batch) => new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children: kept.map((entry) => batch.data.children[entry.index] as NonNullable<(typeof batch.data.children)[number]>) })),
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
