import type { JsonSchema } from "../../../protocol/index.js";
import type { StreamShape } from "../types.js";

export function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> {
  return (schema["properties"] ?? {}) as Record<string, JsonSchema>;
}

/** A shape whose schema has other properties (and `required` trimmed to those that remain). */
export function withProperties(
  shape: StreamShape,
  properties: Record<string, JsonSchema>,
  keyProperties: readonly string[] = shape.keyProperties,
): StreamShape {
  const schema: JsonSchema = { ...shape.schema, properties };
  if (Array.isArray(shape.schema["required"])) schema["required"] = (shape.schema["required"] as string[]).filter((name) => Object.hasOwn(properties, name));
  return { ...shape, schema, keyProperties };
}

/** The JSON Schema type of a constant value. */
export function schemaOfValue(value: unknown): JsonSchema {
  if (value === null) return { type: "null" };
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  if (typeof value === "boolean") return { type: "boolean" };
  if (typeof value === "string") return { type: "string" };
  if (Array.isArray(value)) return { type: "array" };
  return { type: "object" };
}
