import { parse as parseLossless } from "lossless-json";
import { ExactNumber, ExactNumberInJsonError, numberFromText } from "./exact-number.js";

/**
 * True when a line of JSON may hold a number that JSON.parse would change:
 * one with 15 or more digits, an exponent, or `-0`. A cheap test on the
 * text (about a third of JSON.parse's time on a typical record), so the
 * common line is parsed once, by JSON.parse; a line it flags is parsed
 * again by `parseJsonExact`, which decides number by number. It may flag a
 * line whose numbers are all plain (a long digit run in a string): that
 * only costs the second parse.
 */
export function mayHoldExactNumbers(text: string): boolean {
  return RISKY_NUMBER.test(text);
}

// After a `:`, `,` or `[` (a value's place): 16 digits and dots, digits then an exponent, or -0.
const RISKY_NUMBER = /[:,[]\s*(?:-?[\d.]{16}|-?[\d.]+[eE]|-0(?:\.0+)?[\s,}\]])/;

/**
 * Parses JSON as JSON.parse does, except that a number a double would
 * change comes back as an ExactNumber holding its text. `__proto__` is an
 * own property, as JSON.parse makes it. A key given twice with different
 * values is refused (JSON.parse keeps the last; which one the source meant
 * is unknowable).
 */
export function parseJsonExact(text: string): unknown {
  return parseLossless(text, null, numberFromText);
}

/**
 * JSON.stringify that writes an ExactNumber as the number it is, and a
 * BigInt as its digits (`space` indents as JSON.stringify's does). A value
 * without either costs one JSON.stringify: the exact writer runs only once
 * JSON.stringify met one.
 */
export function stringifyJson(value: unknown, space?: number): string {
  try {
    return JSON.stringify(value, null, space);
  } catch (error) {
    if (!(error instanceof ExactNumberInJsonError) && !(error instanceof TypeError && /BigInt/.test(error.message))) throw error;
    const parts: string[] = [];
    writeValue(value, parts, new Set(), space === undefined || space <= 0 ? undefined : { unit: " ".repeat(Math.min(space, 10)), depth: 0 });
    return parts.join("");
  }
}

interface Indent {
  readonly unit: string;
  readonly depth: number;
}

function writeValue(value: unknown, out: string[], seen: Set<object>, indent: Indent | undefined): boolean {
  if (value instanceof ExactNumber) {
    out.push(value.text);
    return true;
  }
  if (typeof value === "bigint") {
    out.push(value.toString());
    return true;
  }
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    if (text === undefined) return false;
    out.push(text);
    return true;
  }
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return writeValue(withToJson.toJSON(), out, seen, indent);
  if (seen.has(value)) throw new TypeError("Converting circular structure to JSON");
  seen.add(value);
  const inner = indent === undefined ? undefined : { unit: indent.unit, depth: indent.depth + 1 };
  const open = inner === undefined ? "" : `\n${inner.unit.repeat(inner.depth)}`;
  const close = indent === undefined ? "" : `\n${indent.unit.repeat(indent.depth)}`;
  const colon = indent === undefined ? ":" : ": ";
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, index) => {
      out.push(index > 0 ? `,${open}` : open);
      if (!writeValue(item, out, seen, inner)) out.push("null");
    });
    out.push(value.length === 0 ? "]" : `${close}]`);
  } else {
    out.push("{");
    let first = true;
    for (const key of Object.keys(value)) {
      const mark = out.length;
      out.push(first ? open : `,${open}`, JSON.stringify(key), colon);
      if (writeValue((value as Record<string, unknown>)[key], out, seen, inner)) first = false;
      else out.length = mark;
    }
    out.push(first ? "}" : `${close}}`);
  }
  seen.delete(value);
  return true;
}

/**
 * The value with each ExactNumber replaced by a double a JSON Schema
 * validator can check: the nearest one, a double's largest past its range,
 * and its smallest for a non-zero number that rounds to zero. Types and
 * bounds are then checked as the number's meaning says (`1e400` is a large
 * integer, `2.5e-400` a positive fraction), to a double's precision.
 */
export function approximateNumbers(value: unknown): unknown {
  if (value instanceof ExactNumber) return nearestDouble(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(approximateNumbers);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = approximateNumbers((value as Record<string, unknown>)[key]);
    // An own property even for the name __proto__, as JSON.parse makes it.
    Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

function nearestDouble(number: ExactNumber): number {
  const value = number.toNumber();
  if (value === Infinity) return Number.MAX_VALUE;
  if (value === -Infinity) return -Number.MAX_VALUE;
  if (value === 0 && !/^-?0*\.?0*(?:[eE].*)?$/.test(number.text)) return number.text.startsWith("-") ? -Number.MIN_VALUE : Number.MIN_VALUE;
  return Object.is(value, -0) ? 0 : value;
}

/** True when the value holds an ExactNumber anywhere. */
export function holdsExactNumbers(value: unknown): boolean {
  if (value instanceof ExactNumber) return true;
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) return value.some(holdsExactNumbers);
  for (const key of Object.keys(value)) if (holdsExactNumbers((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * Marks records parsed with ExactNumbers in them: a validator checks these
 * through approximateNumbers. A property no one else can name or see in
 * JSON (a symbol, not enumerable): reading it from an unmarked record costs
 * next to nothing, where a WeakSet lookup cost as much as a record's key check.
 */
const EXACT_RECORD = Symbol("agora.exactRecord");

/** Marks a record parsed by parseJsonExact when it holds an ExactNumber. */
export function markExactRecord(record: object): void {
  if (holdsExactNumbers(record)) Object.defineProperty(record, EXACT_RECORD, { value: true });
}

/** True for a record markExactRecord marked. */
export function isExactRecord(record: unknown): boolean {
  return typeof record === "object" && record !== null && (record as { [EXACT_RECORD]?: boolean })[EXACT_RECORD] === true;
}

/** A record's JSON text as parseJson reads it, marked for validation when it holds ExactNumbers. */
export function parseRecordJson(text: string): Record<string, unknown> {
  if (!mayHoldExactNumbers(text)) return JSON.parse(text) as Record<string, unknown>;
  const record = parseJsonExact(text) as Record<string, unknown>;
  markExactRecord(record);
  return record;
}

/** JSON.parse, keeping as ExactNumbers the numbers a double would change (one JSON.parse when the text has none). */
export function parseJson(text: string): unknown {
  return mayHoldExactNumbers(text) || TOP_LEVEL_NUMBER.test(text) ? parseJsonExact(text) : JSON.parse(text);
}

// A text that is one number (mayHoldExactNumbers looks only after `:`, `,` and `[`).
const TOP_LEVEL_NUMBER = /^\s*-?\d/;
