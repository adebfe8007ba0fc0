import { projectRecord, type Projection } from "../../../catalogs/index.js";
import { isExactNumber } from "../../values/exact-number.js";
import { stringifyJson } from "../../values/exact-json.js";

/** A row of values (in the order of its stream's columns) as the JSON text of the record they make. */
export type RowSerializer = (values: ReadonlyArray<unknown>) => string;

/** Whether V8 orders `name` as an array index: before every other key of an object, in numeric order. */
function isArrayIndex(name: string): boolean {
  if (!/^(0|[1-9]\d*)$/.test(name)) return false;
  return Number(name) < 2 ** 32 - 1;
}

/** Characters JSON.stringify escapes in a string (and surrogates, which it escapes when alone). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it looks for.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** One value as JSON, or undefined where JSON.stringify would leave the property out. */
function valueJson(value: unknown, rule: true | Projection): string | undefined {
  switch (typeof value) {
    case "string":
      // Most cells need no escaping: quoting them is a quarter cheaper than JSON.stringify.
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
    default:
      if (value === null) return "null";
      // A number a double cannot hold, as its text (an id past 2^53, a long decimal).
      if (isExactNumber(value)) return value.text;
      if (rule !== true && typeof value === "object" && !Array.isArray(value)) return stringifyJson(projectRecord(value as Record<string, unknown>, rule));
      return stringifyJson(value);
  }
}

/**
 * Compiles, once per stream, the serializer of its rows: the record the
 * columns and values make, with the catalog's projection applied, written
 * exactly as `JSON.stringify` writes that record (same keys in the same
 * order, same numbers, undefined left out), without building the record.
 * That is the point: a tabular tap skips one object per record and the
 * generic walk of JSON.stringify (bench/RESULTS.md has the figures).
 * A column named twice keeps its first place and its last value, as an
 * object would.
 */
export function rowSerializer(columns: readonly string[], projection: Projection | undefined): RowSerializer {
  const lastIndex = new Map<string, number>();
  columns.forEach((name, index) => {
    if (projection === undefined || Object.hasOwn(projection, name)) lastIndex.set(name, index);
  });
  // An object's own keys come out array indexes first (ascending), then the others in the order they were added.
  const names = [...lastIndex.keys()];
  const ordered = [...names.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)), ...names.filter((name) => !isArrayIndex(name))];
  const indexes = ordered.map((name) => lastIndex.get(name) as number);
  const rules = ordered.map((name): true | Projection => (projection === undefined ? true : (projection[name] as true | Projection)));
  const firstKeys = ordered.map((name) => `${JSON.stringify(name)}:`);
  const laterKeys = firstKeys.map((key) => `,${key}`);
  const count = ordered.length;
  return (values) => {
    let out = "{";
    let empty = true;
    for (let position = 0; position < count; position += 1) {
      const json = valueJson(values[indexes[position] as number], rules[position] as true | Projection);
      if (json === undefined) continue;
      out += (empty ? firstKeys[position] : laterKeys[position]) + json;
      empty = false;
    }
    return `${out}}`;
  };
}
