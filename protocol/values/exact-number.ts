/**
 * A JSON number whose text a JavaScript number would change: an integer past
 * ±2^53, a decimal with more significant digits than a double holds, `-0`,
 * or an exponent out of a double's range. It keeps the text as the source
 * wrote it, so what lands is what the tap sent.
 *
 * Records hold one only where a number would not do (`1.5` stays `1.5`):
 * most records never meet one. Middleware that reads a number should expect
 * `number | ExactNumber`. It is not a number by accident: `valueOf` throws
 * (so `price * 2` fails instead of rounding), and so does `JSON.stringify`
 * (through `toJSON`); `stringifyJson` writes it as the number it is.
 */
export class ExactNumber {
  /** The number as the source wrote it, e.g. "9007199254740993" or "1e400". */
  readonly text: string;

  constructor(text: string) {
    if (!NUMBER_TEXT.test(text)) throw new TypeError(`not a JSON number: ${JSON.stringify(text.slice(0, 60))}`);
    this.text = text;
  }

  /** True when the number is a whole number (`1e3` and `2.0` are). */
  get isInteger(): boolean {
    const { digits, exponent } = decimalParts(this.text);
    return digits === "" || exponent >= 0;
  }

  /** The integer as a BigInt; throws a RangeError for a number with a fraction. */
  toBigInt(): bigint {
    const { negative, digits, exponent } = decimalParts(this.text);
    if (digits !== "" && exponent < 0) throw new RangeError(`${this.text} is not an integer`);
    if (digits === "") return 0n;
    // 1e400000 is an integer, but not one worth a megabyte of BigInt.
    if (exponent > MAX_BIGINT_EXPONENT) throw new RangeError(`${this.text} is too large for a BigInt here (over ${MAX_BIGINT_EXPONENT} digits)`);
    const magnitude = BigInt(digits) * 10n ** BigInt(exponent);
    return negative ? -magnitude : magnitude;
  }

  /** The nearest double, for a caller that accepts the rounding (±Infinity past a double's range). */
  toNumber(): number {
    return Number(this.text);
  }

  toString(): string {
    return this.text;
  }

  valueOf(): never {
    throw new TypeError(`${this.text} is an exact number: use .text, .toBigInt() or .toNumber() (which rounds) instead of arithmetic`);
  }

  toJSON(): never {
    throw new ExactNumberInJsonError(this.text);
  }
}

/** Thrown by JSON.stringify on a value holding an ExactNumber: `stringifyJson` catches it and writes the value exactly. */
export class ExactNumberInJsonError extends TypeError {
  constructor(text: string) {
    super(`JSON.stringify cannot write the exact number ${text}: use stringifyJson`);
    this.name = "ExactNumberInJsonError";
  }
}

export function isExactNumber(value: unknown): value is ExactNumber {
  return value instanceof ExactNumber;
}

const MAX_BIGINT_EXPONENT = 10_000;
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

/** A decimal as sign, significant digits (no leading or trailing zeros; "" for zero) and the power of ten of the last digit. */
interface DecimalParts {
  readonly negative: boolean;
  readonly digits: string;
  readonly exponent: number;
}

/** Takes a JSON number's text apart, so two spellings of one value compare equal. */
export function decimalParts(text: string): DecimalParts {
  const negative = text.charCodeAt(0) === 0x2d;
  const body = negative ? text.slice(1) : text;
  const e = body.search(/[eE]/);
  const mantissa = e === -1 ? body : body.slice(0, e);
  const power = e === -1 ? 0 : Number(body.slice(e + 1));
  const dot = mantissa.indexOf(".");
  const whole = dot === -1 ? mantissa : mantissa.slice(0, dot);
  const fraction = dot === -1 ? "" : mantissa.slice(dot + 1);
  let digits = whole + fraction;
  let exponent = power - fraction.length;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 0x30) start += 1;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 0x30) end -= 1;
  exponent += digits.length - end;
  digits = digits.slice(start, end);
  return { negative, digits, exponent: digits === "" ? 0 : exponent };
}

/**
 * The number a JSON number's text stands for: a plain number when the
 * double holds the same decimal value (`1.50` and `1.5` are one value), an
 * ExactNumber otherwise.
 */
export function numberFromText(text: string): number | ExactNumber {
  const value = Number(text);
  return sameDecimal(text, value) ? value : new ExactNumber(text);
}

/** A decimal as people write it: a sign (`+` too), digits with or without a point (`5.`, `.5`, `007`), an exponent, spaces around. */
const DECIMAL_TEXT = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/**
 * The number a decimal written as people write it stands for, exactly (see
 * numberFromText), or undefined for text that is not one (`0x10`, `1_000`,
 * `Infinity`): the caller decides what such text is.
 */
export function numberFromDecimalText(text: string): number | ExactNumber | undefined {
  const parts = DECIMAL_TEXT.exec(text);
  if (parts === null) return undefined;
  const [, sign, whole = "", fraction, exponent] = parts;
  if (whole === "" && (fraction === undefined || fraction === "")) return undefined;
  // As JSON writes a number: no plus sign, no leading zeros, digits on both sides of a point.
  const digits = whole.replace(/^0+(?=\d)/, "") || "0";
  return numberFromText(`${sign === "-" ? "-" : ""}${digits}${fraction ? `.${fraction}` : ""}${exponent === undefined ? "" : `e${exponent}`}`);
}

function sameDecimal(text: string, value: number): boolean {
  if (!Number.isFinite(value) || Object.is(value, -0)) return false;
  const written = decimalParts(text);
  const held = decimalParts(String(value));
  return written.digits === held.digits && written.exponent === held.exponent && (written.negative === held.negative || written.digits === "");
}

/**
 * Orders two numbers (a number or an ExactNumber each) by their exact
 * decimal values: -1, 0 or 1; undefined when either is not a finite number
 * (NaN, ±Infinity, anything else). `9007199254740993` is above
 * `9007199254740992`, and `0.1` equals `1e-1`.
 */
export function compareNumbers(left: unknown, right: unknown): -1 | 0 | 1 | undefined {
  if (typeof left === "number" && typeof right === "number") {
    if (!Number.isFinite(left) || !Number.isFinite(right)) return undefined;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  const a = finiteNumberText(left);
  const b = finiteNumberText(right);
  if (a === undefined || b === undefined) return undefined;
  return compareDecimals(decimalParts(a), decimalParts(b));
}

function finiteNumberText(value: unknown): string | undefined {
  if (value instanceof ExactNumber) return value.text;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}

function compareDecimals(a: DecimalParts, b: DecimalParts): -1 | 0 | 1 {
  const signA = a.digits === "" ? 0 : a.negative ? -1 : 1;
  const signB = b.digits === "" ? 0 : b.negative ? -1 : 1;
  if (signA !== signB || signA === 0) return signA < signB ? -1 : signA > signB ? 1 : 0;
  // Same sign, both non-zero: the one with more places before its point is larger in magnitude, else digit by digit.
  const magnitudeA = a.digits.length + a.exponent;
  const magnitudeB = b.digits.length + b.exponent;
  let order: -1 | 0 | 1 = magnitudeA < magnitudeB ? -1 : magnitudeA > magnitudeB ? 1 : 0;
  if (order === 0) {
    const width = Math.max(a.digits.length, b.digits.length);
    const x = a.digits.padEnd(width, "0");
    const y = b.digits.padEnd(width, "0");
    order = x < y ? -1 : x > y ? 1 : 0;
  }
  return signA < 0 ? ((-order || 0) as -1 | 0 | 1) : order;
}
