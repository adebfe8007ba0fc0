import type { SchemaTree } from "hyparquet";
import type { JsonSchema } from "../../protocol/index.js";

/** A JSON Schema for one Parquet column or group. OPTIONAL fields are nullable. */
function fieldSchema(node: SchemaTree): JsonSchema {
  const schema = baseSchema(node);
  if (node.element.repetition_type === "OPTIONAL" && typeof schema["type"] === "string") {
    return { ...schema, type: ["null", schema["type"]] };
  }
  return schema;
}

function baseSchema(node: SchemaTree): JsonSchema {
  const { element, children } = node;
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (children.length > 0) {
    if (logical === "LIST" || converted === "LIST") {
      // LIST → repeated group "list" → "element" (or legacy shapes with the element directly).
      const repeated = children[0];
      const item = repeated !== undefined && repeated.children.length === 1 ? repeated.children[0] : repeated;
      return { type: "array", items: item === undefined ? {} : fieldSchema(item) };
    }
    if (logical === "MAP" || converted === "MAP" || converted === "MAP_KEY_VALUE") {
      const value = children[0]?.children[1];
      return { type: "object", additionalProperties: value === undefined ? {} : fieldSchema(value) };
    }
    return { type: "object", properties: Object.fromEntries(children.map((child) => [child.element.name, fieldSchema(child)])) };
  }
  if (logical === "STRING" || logical === "ENUM" || logical === "JSON" || logical === "UUID" || converted === "UTF8" || converted === "ENUM" || converted === "JSON") {
    return { type: "string" };
  }
  if (logical === "DATE" || converted === "DATE") return { type: "string", format: "date" };
  if (logical === "TIMESTAMP" || converted === "TIMESTAMP_MILLIS" || converted === "TIMESTAMP_MICROS" || element.type === "INT96") {
    return { type: "string", format: "date-time" };
  }
  if (logical === "TIME" || converted === "TIME_MILLIS" || converted === "TIME_MICROS") return { type: "string" };
  if (logical === "DECIMAL" || converted === "DECIMAL") return { type: "number" };
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
