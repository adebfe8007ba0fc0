import type { JsonSchema } from "../messages/types.js";

/**
 * Where a stream's schema lets a record hold numbers, so a record that
 * validates can be checked for numbers a double may have changed without
 * reading its whole line again. `mayHoldExactNumbers` looks for such a
 * number in the text (half a microsecond for a 250-byte line, as much as a
 * target's own work on it); this looks at the parsed record instead (at
 * every number at first, then only at the places the schema says can hold
 * numbers, see GENERATE_AFTER_RECORDS), and only needs the text for a run of
 * 16 digits, which finds itself quickly.
 *
 * A number JSON.parse changed came from one of:
 * - 16 or more digits (a long decimal, an integer past 2^53): found in the
 *   text by LONG_DIGITS;
 * - an exponent past a double's range: parsed as ±Infinity, a subnormal
 *   or 0 (`1e400`, `2.5e-400`);
 * - `-0`: parsed as -0.
 * A decimal of 15 significant digits or fewer in a double's normal range
 * comes back as itself, so these are all. The record is then parsed again
 * exactly (parseJsonExact), which decides number by number.
 *
 * Valid only for a record that validates against the schema: once the
 * checks are made from it, a number at a place the schema types as a
 * string, say, is not looked at. A caller that does not validate, or whose
 * record failed, uses mayHoldExactNumbers.
 */
export class NumberPlaces {
  private check: Check;
  private untilGenerated = GENERATE_AFTER_RECORDS;

  constructor(private readonly schema: JsonSchema) {
    this.check = anyValue;
  }

  /** True when `record`, parsed by JSON.parse from `text`, may hold a number the parse changed. */
  mayHoldChangedNumbers(record: unknown, text: string): boolean {
    if (LONG_DIGITS.test(text)) return true;
    if (this.untilGenerated > 0 && --this.untilGenerated === 0) this.check = checkFor(this.schema);
    const seen = this.check(record);
    // A 0 is changed only when it was an exponent below a double's range, as in 2.5e-400.
    return seen === EDGE || (seen === ZERO && (text.includes("e-") || text.includes("E-")));
  }
}

/**
 * Records whose every number is judged, wherever it is, before a schema's
 * checks are generated as code (by the property names written in it:
 * quicker once hot, but a function each schema must compile and warm up;
 * a tap with 2,000 tables of 100 records each would pay that 2,000 times
 * and run each cold). Judging every number takes no look-up by the
 * schema's names: 40 ns for a bench record over 1 or 2,000 streams, where
 * a map of each schema's names took 68–86 ns over one and 86–119 ns over
 * 2,000.
 */
export const GENERATE_AFTER_RECORDS = 5_000;

/** 16 digits or points in a row: written out rather than as {16}, which lets the regular expression skip 16 characters at a time. */
const LONG_DIGITS = new RegExp("[\\d.]".repeat(16));

const NONE = 0;
const ZERO = 1;
const EDGE = 2;
type Seen = typeof NONE | typeof ZERO | typeof EDGE;
type Check = (value: unknown) => Seen;

const MIN_NORMAL = 2.2250738585072014e-308;

function numberSeen(value: number): Seen {
  if (value === 0) return Object.is(value, -0) ? EDGE : ZERO;
  const magnitude = Math.abs(value);
  return magnitude < MIN_NORMAL || magnitude === Infinity ? EDGE : NONE;
}

/** Every number in a value, whatever its place. */
const anyValue: Check = (value) => {
  if (typeof value === "number") return numberSeen(value);
  if (typeof value !== "object" || value === null) return NONE;
  let seen: Seen = NONE;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      const found = anyValue(item);
      if (found === EDGE) return EDGE;
      if (found === ZERO) seen = ZERO;
    }
    return seen;
  }
  // for-in, with no array of the values made: a parsed object has no enumerable inherited keys.
  for (const name in value) {
    const found = anyValue((value as Record<string, unknown>)[name]);
    if (found === EDGE) return EDGE;
    if (found === ZERO) seen = ZERO;
  }
  return seen;
};

const noNumbers: Check = () => NONE;
const aNumber: Check = (value) => (typeof value === "number" ? numberSeen(value) : NONE);

const NUMBER_TYPES = new Set(["number", "integer"]);

/** The check for a value of `schema`: only as deep as its schema is plain enough to be sure of. */
function checkFor(schema: unknown): Check {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return anyValue;
  const node = schema as Record<string, unknown>;
  // Beside $ref, draft-04 and draft-07 ignore other keywords; combinators and conditionals may allow other values.
  if (["$ref", "$dynamicRef", "anyOf", "oneOf", "allOf", "not", "if"].some((keyword) => Object.hasOwn(node, keyword))) return anyValue;
  const type = node["type"];
  const types = (Array.isArray(type) ? type : typeof type === "string" ? [type] : []).filter((name) => name !== "null");
  if (types.length === 0) return type === undefined ? anyValue : noNumbers;
  if (types.every((name) => NUMBER_TYPES.has(name))) return aNumber;
  if (!types.some((name) => NUMBER_TYPES.has(name) || name === "object" || name === "array")) return noNumbers;
  if (types.length === 1 && types[0] === "object") return objectCheck(node);
  if (types.length === 1 && types[0] === "array") return arrayCheck(node);
  return anyValue;
}

/** Checks the declared properties by their schemas; an object with a property the schema does not declare is checked whole. */
function objectCheck(node: Record<string, unknown>): Check {
  const properties = node["properties"];
  if (typeof properties !== "object" || properties === null || Array.isArray(properties)) return anyValue;
  const names = Object.keys(properties);
  const checks = names.map((name) => checkFor((properties as Record<string, unknown>)[name]));
  return generatedObjectCheck(names, checks);
}

/** The object check as code reading each property by its name. */
function generatedObjectCheck(names: readonly string[], checks: readonly Check[]): Check {
  // Generated, as ajv does: a property read by a name written in the code is several times quicker than one
  // by a name from an array (measured: 12 ns against 90 ns for ten properties). Names enter only as JSON
  // string literals. A name Object.prototype has (constructor, __proto__) is read only as the record's own.
  const body = names
    .map((name, index) => {
      const literal = JSON.stringify(name);
      const read = name in Object.prototype ? `v = hasOwn(record, ${literal}) ? record[${literal}] : undefined;` : `v = record[${literal}];`;
      const check = checks[index];
      const test =
        check === noNumbers
          ? ""
          : check === aNumber
            ? "if (typeof v === 'number') { found = numberSeen(v); if (found === 2) return 2; seen |= found; }"
            : `found = checks[${index}](v); if (found === 2) return 2; seen |= found;`;
      return `${read} if (v !== undefined) { declared += 1; ${test} }`;
    })
    .join("\n");
  const make = new Function(
    "checks",
    "numberSeen",
    "anyValue",
    "hasOwn",
    `return function checkObject(record) {
      if (typeof record !== "object" || record === null || Array.isArray(record)) return anyValue(record);
      let seen = 0, declared = 0, found, v;
      ${body}
      // for-in, the quickest count: a JSON object has no enumerable inherited keys, and any would only count against.
      let keys = 0;
      for (const _key in record) keys += 1;
      return keys === declared ? seen : anyValue(record);
    };`,
  ) as (checks: Check[], numberSeen: (value: number) => Seen, anyValue: Check, hasOwn: typeof Object.hasOwn) => Check;
  return make([...checks], numberSeen, anyValue, Object.hasOwn);
}

function arrayCheck(node: Record<string, unknown>): Check {
  const items = node["items"];
  // Tuple forms (an items array, prefixItems) are checked whole.
  if (Array.isArray(items) || Object.hasOwn(node, "prefixItems") || items === undefined) return anyValue;
  const check = checkFor(items);
  if (check === noNumbers) return (value) => (Array.isArray(value) ? NONE : anyValue(value));
  return (value) => {
    if (!Array.isArray(value)) return anyValue(value);
    let seen: Seen = NONE;
    for (const item of value as unknown[]) {
      const found = check(item);
      if (found === EDGE) return EDGE;
      if (found === ZERO) seen = ZERO;
    }
    return seen;
  };
}
