import { setField } from "./record-fields.js";
import type { JsonSchema } from "../../../protocol/index.js";
import { evaluate } from "../expression/evaluate.js";
import { parseExpression, type Node } from "../expression/parse.js";
import type { Middleware, RecordValue } from "../types.js";
import { propertiesOf, schemaOfValue, withProperties } from "./schema-edit.js";

export type FieldDefinition = unknown | { readonly expression: string; readonly type?: string };

function isDerived(definition: FieldDefinition): definition is { expression: string; type?: string } {
  return typeof definition === "object" && definition !== null && typeof (definition as { expression?: unknown }).expression === "string";
}

/** `add_fields`: sets constant fields, or fields derived from an expression over the record. */
export function addFields(name: string, fields: Readonly<Record<string, FieldDefinition>>, streams: readonly string[] | undefined): Middleware {
  const compiled: Array<{ field: string; constant?: unknown; expression?: Node; schema: JsonSchema }> = Object.entries(fields).map(([field, definition]) =>
    isDerived(definition)
      ? { field, expression: parseExpression(definition.expression), schema: definition.type === undefined ? {} : { type: ["null", definition.type] } }
      : { field, constant: definition, schema: schemaOfValue(definition) },
  );
  return {
    name,
    streams,
    transformSchema(shape) {
      const properties = { ...propertiesOf(shape.schema) };
      for (const { field, schema } of compiled) setField(properties, field, schema);
      return withProperties(shape, properties);
    },
    transform(record) {
      const result: RecordValue = { ...record };
      // Each derived field sees the record as it was before this step.
      for (const { field, constant, expression } of compiled) setField(result, field, expression === undefined ? constant : evaluate(expression, record));
      return result;
    },
  };
}
