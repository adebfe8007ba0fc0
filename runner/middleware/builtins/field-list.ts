import { hasField, setField } from "./record-fields.js";
import type { Middleware, RecordValue, StreamShape } from "../types.js";
import { propertiesOf, withProperties } from "./schema-edit.js";
import { keepColumns, renameColumns } from "../arrow/arrow-columns.js";

/** `select`: keeps only the listed fields (key properties are always kept, so targets can still upsert). */
export function selectFields(name: string, fields: readonly string[], streams: readonly string[] | undefined): Middleware {
  const wanted = new Set(fields);
  const keep = (shape: StreamShape): Set<string> => new Set([...wanted, ...shape.keyProperties]);
  return {
    name,
    streams,
    transformSchema(shape) {
      const kept = keep(shape);
      return withProperties(shape, Object.fromEntries(Object.entries(propertiesOf(shape.schema)).filter(([field]) => kept.has(field))));
    },
    transform(record, shape) {
      const kept = keep(shape);
      const result: RecordValue = {};
      for (const field of kept) if (hasField(record, field)) setField(result, field, record[field]);
      return result;
    },
    transformArrow(table, shape) {
      const kept = keep(shape);
      return keepColumns(table, (column) => kept.has(column));
    },
  };
}

/** `drop`: removes the listed fields. */
export function dropFields(name: string, fields: readonly string[], streams: readonly string[] | undefined): Middleware {
  const dropped = new Set(fields);
  return {
    name,
    streams,
    transformSchema(shape) {
      return withProperties(shape, Object.fromEntries(Object.entries(propertiesOf(shape.schema)).filter(([field]) => !dropped.has(field))));
    },
    transform(record) {
      const result: RecordValue = {};
      for (const field of Object.keys(record)) if (!dropped.has(field)) setField(result, field, record[field]);
      return result;
    },
    transformArrow: (table) => keepColumns(table, (column) => !dropped.has(column)),
  };
}

/** `rename`: renames fields (and key properties that are renamed). */
export function renameFields(name: string, renames: Readonly<Record<string, string>>, streams: readonly string[] | undefined): Middleware {
  const renamed = (field: string): string => (hasField(renames, field) ? (renames[field] as string) : field);
  return {
    name,
    streams,
    transformSchema(shape) {
      const properties = Object.fromEntries(Object.entries(propertiesOf(shape.schema)).map(([field, schema]) => [renamed(field), schema]));
      const next = withProperties(shape, properties, shape.keyProperties.map(renamed));
      if (Array.isArray(shape.schema["required"])) next.schema["required"] = (shape.schema["required"] as string[]).map(renamed);
      return next;
    },
    transform(record) {
      const result: RecordValue = {};
      for (const field of Object.keys(record)) setField(result, renamed(field), record[field]);
      return result;
    },
    transformArrow: (table) => renameColumns(table, renamed),
  };
}
