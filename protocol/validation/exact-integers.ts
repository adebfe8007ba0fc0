import type { JsonSchema } from "../messages/types.js";
import { isExactNumber } from "../values/exact-number.js";

/**
 * Where a record holds an exact number with a fraction that its schema
 * types as an integer only: a check ajv cannot make on the nearest double,
 * which past 2^53 is always whole (12345678901234567.5 → …568). Follows
 * `properties` and `items`, where Singer schemas put their columns. The
 * field's JSON pointer, or undefined.
 */
export function fractionWhereIntegerExpected(schema: JsonSchema | boolean, value: unknown, at = ""): string | undefined {
  if (typeof schema === "boolean") return undefined;
  if (isExactNumber(value)) return !value.isInteger && integerOnly(schema) ? at : undefined;
  if (Array.isArray(value)) {
    const items = schema["items"];
    if (typeof items !== "object" || items === null || Array.isArray(items)) return undefined;
    for (let index = 0; index < value.length; index += 1) {
      const found = fractionWhereIntegerExpected(items as JsonSchema, value[index], `${at}/${index}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const properties = schema["properties"];
  if (typeof value !== "object" || value === null || typeof properties !== "object" || properties === null) return undefined;
  for (const name of Object.keys(value)) {
    if (!Object.hasOwn(properties, name)) continue;
    const found = fractionWhereIntegerExpected(
      (properties as Record<string, JsonSchema>)[name] as JsonSchema,
      (value as Record<string, unknown>)[name],
      `${at}/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

function integerOnly(schema: JsonSchema): boolean {
  const type = schema["type"];
  const types = Array.isArray(type) ? type : [type];
  return types.includes("integer") && !types.includes("number");
}
