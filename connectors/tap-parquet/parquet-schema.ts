import type { SchemaTree } from "hyparquet";
import type { JsonSchema } from "../../protocol/tap.js";
import { isDecimalColumn, isJsonColumn, isTextColumn, parquetShape } from "./parquet-shapes.js";

/** A JSON Schema for one Parquet column or group, in its role (see parquetShape). OPTIONAL ones are nullable. */
function fieldSchema(node: SchemaTree, role: "field" | "element" = "field"): JsonSchema {
  const schema = baseSchema(node, role);
  if (node.element.repetition_type === "OPTIONAL" && typeof schema["type"] === "string") {
    return { ...schema, type: ["null", schema["type"]] };
  }
  return schema;
}

function baseSchema(node: SchemaTree, role: "field" | "element"): JsonSchema {
  const { element } = node;
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  const shape = parquetShape(node, role);
  switch (shape.kind) {
    case "list":
      return { type: "array", items: shape.item === undefined ? {} : fieldSchema(shape.item, "element") };
    case "repeated":
      return { type: "array", items: fieldSchema(node, "element") };
    case "map":
      return { type: "object", additionalProperties: shape.keysOnly ? { type: "null" } : shape.value === undefined ? {} : fieldSchema(shape.value) };
    case "struct":
      return { type: "object", properties: Object.fromEntries(shape.fields.map((child) => [child.element.name, fieldSchema(child)])) };
    case "leaf":
      break;
  }
  if (isTextColumn(element) || isJsonColumn(element)) return { type: "string" };
  if (logical === "DATE" || converted === "DATE") return { type: "string", format: "date" };
  if (logical === "TIMESTAMP" || converted === "TIMESTAMP_MILLIS" || converted === "TIMESTAMP_MICROS" || element.type === "INT96") {
    return { type: "string", format: "date-time" };
  }
  if (logical === "TIME" || converted === "TIME_MILLIS" || converted === "TIME_MICROS") return { type: "string" };
  if (isDecimalColumn(element)) return { type: "number" };
  if (logical === "FLOAT16") return { type: "number" };
  switch (element.type) {
    case "BOOLEAN":
      return { type: "boolean" };
    case "INT32":
    case "INT64":
      return { type: "integer" };
    case "FLOAT":
    case "DOUBLE":
      return { type: "number" };
    default:
      // Raw bytes travel as base64 text.
      return { type: "string", contentEncoding: "base64" };
  }
}

/** The record schema of a Parquet file: one property per top-level column. */
export function parquetToJsonSchema(root: SchemaTree): JsonSchema {
  return { type: "object", properties: Object.fromEntries(root.children.map((child) => [child.element.name, fieldSchema(child)])) };
}
