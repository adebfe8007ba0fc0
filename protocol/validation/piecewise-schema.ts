import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { JsonSchema } from "../messages/types.js";
import { visitSchemas } from "./schema-dialect.js";

/**
 * Past this many properties a schema is only ever validated piece by piece:
 * ajv compiles an object schema into one function whose nesting grows with
 * its properties, and around 2,000 of them its code generator overflows the
 * stack (and 1,000 already take seconds to compile).
 */
export const WIDE_SCHEMA_PROPERTIES = 200;

/** An object schema cut in three: everything but its properties (the shell), its property schemas, and its additionalProperties. */
export interface ObjectSchemaParts {
  readonly shell: JsonSchema;
  readonly properties: Readonly<Record<string, JsonSchema | boolean>>;
  readonly additional: JsonSchema | boolean | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A JSON pointer segment for a property name. */
const pointerPart = (name: string): string => name.replace(/~/g, "~0").replace(/\//g, "~1");

/** Keywords that tie a subschema to the rest of the document: a part compiled alone would lose what they point at. */
const DOCUMENT_KEYWORDS = ["$ref", "$dynamicRef", "$recursiveRef", "$id", "$anchor", "$dynamicAnchor", "$recursiveAnchor"];

/**
 * The parts of an object schema that validates the same piece by piece:
 * the shell as a whole, then each present property by its own schema (or
 * additionalProperties). Undefined where that would change the meaning:
 * patternProperties or unevaluatedProperties beside the properties (they
 * depend on which names the properties match), or a reference anywhere (a
 * part alone cannot resolve it).
 */
export function splitObjectSchema(schema: JsonSchema | boolean): ObjectSchemaParts | undefined {
  if (typeof schema === "boolean" || !isObject(schema["properties"])) return undefined;
  if (schema["patternProperties"] !== undefined || schema["unevaluatedProperties"] !== undefined) return undefined;
  let linked = false;
  visitSchemas(schema, (node) => {
    if (DOCUMENT_KEYWORDS.some((keyword) => keyword in node)) linked = true;
  });
  if (linked) return undefined;
  const { properties, additionalProperties, ...shell } = schema as JsonSchema & {
    properties: Record<string, JsonSchema | boolean>;
    additionalProperties?: JsonSchema | boolean;
  };
  return { shell, properties, additional: additionalProperties };
}

/** True for parts with so many properties that they are never compiled as one function. */
export const isWide = (parts: ObjectSchemaParts): boolean => Object.keys(parts.properties).length > WIDE_SCHEMA_PROPERTIES;

/**
 * Compiles the parts of object schemas, each distinct part once: the
 * columns of a thousand tables are mostly the same few schemas (an integer,
 * a nullable string, a date-time), so a thousand streams cost a few
 * compiles instead of a thousand.
 */
export class PartValidators {
  private readonly byText = new Map<string, ValidateFunction>();

  constructor(private readonly ajv: Ajv) {}

  /** One part's compiled validator, shared with every schema that has the same part. */
  compile(part: JsonSchema | boolean): ValidateFunction {
    const text = JSON.stringify(part);
    let found = this.byText.get(text);
    if (found === undefined) {
      found = this.ajv.compile(part);
      this.byText.set(text, found);
    }
    return found;
  }

  /**
   * A validator for the whole schema made of its parts' validators: true or
   * false as ajv's function for the whole schema says, with `errors`
   * pointing at the field when false. Nothing is allocated for a valid record.
   */
  piecewise(parts: ObjectSchemaParts): ValidateFunction {
    const shell = this.compile(parts.shell);
    const byName = new Map<string, ValidateFunction>(Object.entries(parts.properties).map(([name, part]) => [name, this.compile(part)]));
    const additional =
      parts.additional === undefined || parts.additional === true ? undefined : parts.additional === false ? false : this.compile(parts.additional);

    const validate = ((data: unknown): boolean => {
      if (!shell(data)) {
        validate.errors = shell.errors ?? null;
        return false;
      }
      validate.errors = null;
      if (!isObject(data)) return true;
      for (const name in data) {
        if (!Object.hasOwn(data, name)) continue;
        const check = byName.get(name) ?? additional;
        if (check === undefined) continue;
        if (check === false) {
          validate.errors = [additionalPropertyError(name)];
          return false;
        }
        if (!check(data[name])) {
          const path = `/${pointerPart(name)}`;
          validate.errors = (check.errors ?? []).map((error: ErrorObject) => ({ ...error, instancePath: `${path}${error.instancePath}` }));
          return false;
        }
      }
      return true;
    }) as ValidateFunction;
    validate.errors = null;
    return validate;
  }
}

function additionalPropertyError(name: string): ErrorObject {
  return {
    instancePath: "",
    schemaPath: "#/additionalProperties",
    keyword: "additionalProperties",
    params: { additionalProperty: name },
    message: "must NOT have additional properties",
  };
}
