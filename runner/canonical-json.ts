import { isExactNumber, stringifyJson } from "../protocol/index.js";

/**
 * JSON with object keys sorted, so equal values compare equal as text
 * whatever the key order. Numbers are compared as written: two bookmarks
 * that differ only past 2^53 (snowflake ids) are two values, not one.
 */
export function canonicalJson(value: unknown): string {
  return stringifyJson(sortedKeys(value));
}

function sortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object" || isExactNumber(value)) return value;
  if (Array.isArray(value)) return value.map(sortedKeys);
  // Null prototype: a key named __proto__ is data, kept like any other.
  const sorted = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value).sort()) sorted[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
