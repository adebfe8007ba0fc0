import { schemaTypes, TextConversionError, type TextConverter } from "../../catalogs/index.js";
import { numberFromText, type JsonSchema } from "../../protocol/index.js";

/** A decimal as CSV writes it: an optional sign, digits with a point, an exponent; spaces around. */
const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/**
 * The converter of a numeric column, exact: a cell a double would change
 * (an integer past 2^53, a decimal of more than 15 significant digits, an
 * exponent out of range) becomes an ExactNumber with every digit, where
 * the plain conversion refuses it (integers) or rounds it (numbers); a cell
 * that is Infinity or NaN is refused, not written as null. Other columns
 * keep `plain`.
 */
export function exactNumberConverter(schema: JsonSchema, plain: TextConverter): TextConverter {
  const main = schemaTypes(schema).find((type) => type !== "null");
  if (main !== "integer" && main !== "number") return plain;
  return (text) => {
    // Short cells without an exponent are what a double holds: the plain conversion, as fast as before.
    if (text.length < 16 && !/[eE]/.test(text)) {
      const value = plain(text);
      if (typeof value === "number" && !Number.isFinite(value)) throw new TextConversionError(main, text);
      return value;
    }
    const parts = DECIMAL_TEXT.exec(text);
    if (parts === null) return plain(text);
    const [, sign = "", whole = "", fraction, exponent] = parts;
    if (whole === "" && (fraction === undefined || fraction === "")) return plain(text);
    if (main === "integer" && (fraction !== undefined || exponent !== undefined)) return plain(text);
    // As JSON writes a number: no plus sign, no leading zeros, digits on both sides of a point.
    const digits = whole.replace(/^0+(?=\d)/, "") || "0";
    const json = `${sign === "-" ? "-" : ""}${digits}${fraction ? `.${fraction}` : ""}${exponent === undefined ? "" : `e${exponent}`}`;
    return numberFromText(json);
  };
}
