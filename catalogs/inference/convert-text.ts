import type { JsonSchemaObject } from "../catalog.js";
import { schemaTypes } from "../schema-types.js";

/** Thrown by a converter for text that does not fit its column's type. */
export class TextConversionError extends Error {
  constructor(
    readonly expected: string,
    readonly text: string,
  ) {
    super(`expected ${expected}, got ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`);
  }
}

export type TextConverter = (text: string) => unknown;

/**
 * A function turning a text cell into a value of the schema's type: "" is
 * null where the schema allows null (else an empty string for string
 * columns), numbers and booleans are parsed, anything else stays text.
 * Throws TextConversionError for text that does not fit.
 */
export function textConverter(schema: JsonSchemaObject): TextConverter {
  const types = schemaTypes(schema);
  const nullable = types.includes("null") || types.length === 0;
  const main = types.find((type) => type !== "null") ?? "string";
  const empty = (text: string): unknown => {
    if (nullable) return null;
    if (main === "string") return text;
    throw new TextConversionError(main, text);
  };
  switch (main) {
    case "integer":
      return (text) => {
        if (text === "") return empty(text);
        const value = Number(text);
        if (!Number.isSafeInteger(value) || !/^\s*-?\d+\s*$/.test(text)) throw new TextConversionError("integer", text);
        return value;
      };
    case "number":
      return (text) => {
        if (text === "") return empty(text);
        const value = Number(text);
        if (Number.isNaN(value) || text.trim() === "") throw new TextConversionError("number", text);
        return value;
      };
    case "boolean":
      return (text) => {
        if (text === "") return empty(text);
        const lower = text.toLowerCase();
        if (lower === "true") return true;
        if (lower === "false") return false;
        throw new TextConversionError("boolean", text);
      };
    case "object":
    case "array":
      return (text) => {
        if (text === "") return empty(text);
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new TextConversionError(`${main} (as JSON)`, text);
        }
      };
    default:
      return (text) => (text === "" ? empty(text) : text);
  }
}
