import { isExactNumber } from "../../protocol/values/exact-number.js";

/** What kind of value a sample holds, as inference sees it. */
export type ValueKind = "null" | "integer" | "number" | "boolean" | "date-time" | "date" | "string" | "object" | "array";

const INTEGER_TEXT = /^-?(?:0|[1-9]\d*)$/;
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)?(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const BOOLEAN_TEXT = /^(?:true|false)$/i;
const DATE_TIME_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;

function isValidDate(text: string): boolean {
  return !Number.isNaN(Date.parse(text.length === 10 ? text : text.replace(" ", "T")));
}

/**
 * The kind of a text value (a CSV cell). The empty string is null. Leading
 * zeros ("007") stay text: they are identifiers, not numbers.
 */
export function textKind(text: string): ValueKind {
  if (text === "") return "null";
  if (INTEGER_TEXT.test(text)) return Number.isSafeInteger(Number(text)) ? "integer" : "string";
  if (NUMBER_TEXT.test(text) && /\d/.test(text) && text !== "-") return "number";
  if (BOOLEAN_TEXT.test(text)) return "boolean";
  if (DATE_TIME_TEXT.test(text) && isValidDate(text)) return "date-time";
  if (DATE_TEXT.test(text) && isValidDate(text)) return "date";
  return "string";
}

/** The kind of a parsed JSON value. Strings holding ISO dates count as dates. */
export function jsonKind(value: unknown): ValueKind {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(value) ? "integer" : "number";
    case "string":
      if (DATE_TIME_TEXT.test(value) && isValidDate(value)) return "date-time";
      if (DATE_TEXT.test(value) && isValidDate(value)) return "date";
      return "string";
    case "object":
      // A number a double could not hold, read exactly (an id past 2^53).
      if (isExactNumber(value)) return value.isInteger ? "integer" : "number";
      return Array.isArray(value) ? "array" : "object";
    default:
      return "string";
  }
}
