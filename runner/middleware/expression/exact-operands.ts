import { decimalParts, ExactNumber, isExactNumber } from "../../../protocol/index.js";

/**
 * Expressions on numbers a double cannot hold (ExactNumber: a 19-digit id,
 * a 40-digit decimal). Equality and order are by decimal value
 * (compareNumbers); `+ - *` of whole numbers are exact (BigInt); other
 * operations work on the nearest double, which an expression that divides
 * decimals accepts.
 */

/** True when either operand is an ExactNumber: the caller then uses these functions. */
export function involvesExact(left: unknown, right: unknown): boolean {
  return isExactNumber(left) || isExactNumber(right);
}

/** Equality by decimal value: `9007199254740993` equals itself and not `9007199254740992`. */
export function sameNumber(left: unknown, right: unknown): boolean {
  const a = numberText(left);
  const b = numberText(right);
  if (a === undefined || b === undefined) return false;
  const x = decimalParts(a);
  const y = decimalParts(b);
  return x.digits === y.digits && x.exponent === y.exponent && (x.negative === y.negative || x.digits === "");
}

/** `+ - *` of whole numbers, exactly; undefined to let the caller work on the nearest doubles. */
export function wholeArithmetic(op: string, left: unknown, right: unknown): number | ExactNumber | undefined {
  const a = wholeNumber(left);
  const b = wholeNumber(right);
  if (a === undefined || b === undefined || !["+", "-", "*"].includes(op)) return undefined;
  const result = op === "+" ? a + b : op === "-" ? a - b : a * b;
  const asNumber = Number(result);
  return Number.isSafeInteger(asNumber) ? asNumber : new ExactNumber(result.toString());
}

/** A number's nearest double (an ExactNumber's rounding), undefined for anything else. */
export function nearest(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  return isExactNumber(value) ? value.toNumber() : undefined;
}

function numberText(value: unknown): string | undefined {
  if (isExactNumber(value)) return value.text;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}

function wholeNumber(value: unknown): bigint | undefined {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : undefined;
  if (!isExactNumber(value) || !value.isInteger) return undefined;
  // 1e400 is whole, but a BigInt of 401 digits is as far as exactness needs to go here.
  return decimalParts(value.text).exponent > 1000 ? undefined : value.toBigInt();
}
