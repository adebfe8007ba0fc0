import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { JsonSchema } from "../messages/types.js";

/**
 * Past this many properties a schema is validated property by property:
 * ajv compiles an object schema into one function whose nesting grows with
 * its properties, and around 2,000 of them its code generator overflows the
 * stack (and 1,000 already take seconds to compile).
 */
export const WIDE_SCHEMA_PROPERTIES = 200;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A JSON pointer segment for a property name. */
const pointerPart = (name: string): string => name.replace(/~/g, "~0").replace(/\//g, "~1");

/** True for an object schema with many properties that this module can validate piecewise. */
export function isWideSchema(schema: JsonSchema | boolean): schema is JsonSchema {
  if (typeof schema === "boolean" || !isObject(schema["properties"])) return false;
  // patternProperties changes which keys are "additional": left to ajv as a whole.
  return Object.keys(schema["properties"]).length > WIDE_SCHEMA_PROPERTIES && schema["patternProperties"] === undefined;
}

/**
 * Compiles a wide object schema as its shell (type, required, everything but
 * the properties) plus one validator per distinct property schema, shared
 * by the properties that have it. Behaves as ajv's compiled function does:
 * true or false, with `errors` pointing at the field.
 */
export function compileWideSchema(ajv: Ajv, schema: JsonSchema): ValidateFunction {
  const { properties, additionalProperties, ...shell } = schema as JsonSchema & {
    properties: Record<string, JsonSchema | boolean>;
    additionalProperties?: JsonSchema | boolean;
  };
  const validateShell = ajv.compile(shell);
  const byText = new Map<string, ValidateFunction>();
  const compiled = (part: JsonSchema | boolean): ValidateFunction => {
    const text = JSON.stringify(part);
    let found = byText.get(text);
    if (found === undefined) {
      found = ajv.compile(part);
      byText.set(text, found);
    }
    return found;
  };
  const byName = new Map<string, ValidateFunction>(Object.entries(properties).map(([name, part]) => [name, compiled(part)]));
  const validateAdditional =
    additionalProperties === undefined || additionalProperties === true ? undefined : additionalProperties === false ? false : compiled(additionalProperties);

  const validate = ((data: unknown): boolean => {
    validate.errors = null;
    if (!validateShell(data)) {
      validate.errors = validateShell.errors ?? null;
      return false;
    }
    if (!isObject(data)) return true;
    for (const name of Object.keys(data)) {
      const check = byName.get(name) ?? validateAdditional;
      if (check === undefined) continue;
      const path = `/${pointerPart(name)}`;
      if (check === false) {
        validate.errors = [
          {
            instancePath: "",
            schemaPath: "#/additionalProperties",
            keyword: "additionalProperties",
            params: { additionalProperty: name },
            message: "must NOT have additional properties",
          },
        ];
        return false;
      }
      if (!check(data[name])) {
        validate.errors = (check.errors ?? []).map((error: ErrorObject) => ({ ...error, instancePath: `${path}${error.instancePath}` }));
        return false;
      }
    }
    return true;
  }) as ValidateFunction;
  validate.errors = null;
  return validate;
}
