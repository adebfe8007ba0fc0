import type { SchemaElement, SchemaTree } from "hyparquet";

/**
 * What a node of a Parquet schema is, as both the SCHEMA tap-parquet
 * announces (parquet-schema.ts) and the reading of its values
 * (parquet-values.ts) need to know it: the same answer in both places.
 */
export type ParquetShape =
  /**
   * A LIST. `item` is the node of its elements; `form` says how an older
   * writer laid it out, by the format's backward-compatibility rules:
   * "three-level" (list → repeated group → element, today's), "two-level"
   * (the repeated field is the element), "group" (the repeated group is the
   * element: it has several fields, or one and is named `array` or
   * `<list>_tuple`).
   */
  | { readonly kind: "list"; readonly item: SchemaTree | undefined; readonly form: "three-level" | "two-level" | "group" }
  /** A repeated field outside any LIST: a list (never null) of required elements, the field itself. */
  | { readonly kind: "repeated" }
  /** A MAP; `value` undefined when its key_value group has keys only (each key then maps to null). */
  | { readonly kind: "map"; readonly value: SchemaTree | undefined; readonly keysOnly: boolean }
  | { readonly kind: "struct"; readonly fields: readonly SchemaTree[] }
  | { readonly kind: "leaf" };

/**
 * The shape of `node` in its `role`: a "field" of a group or the file (a
 * REPEATED one is a list), or the "element" of a list (whose repetition is
 * the list's).
 */
export function parquetShape(node: SchemaTree, role: "field" | "element" = "field"): ParquetShape {
  const { element, children } = node;
  if (role === "field" && element.repetition_type === "REPEATED") return { kind: "repeated" };
  if (children.length === 0) return { kind: "leaf" };
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === "LIST" || converted === "LIST") {
    const repeated = children[0];
    if (repeated === undefined) return { kind: "list", item: undefined, form: "three-level" };
    if (repeated.children.length === 0) return { kind: "list", item: repeated, form: "two-level" };
    const named = repeated.element.name === "array" || repeated.element.name === `${element.name}_tuple`;
    if (repeated.children.length > 1 || named) return { kind: "list", item: repeated, form: "group" };
    return { kind: "list", item: repeated.children[0], form: "three-level" };
  }
  if (logical === "MAP" || converted === "MAP" || converted === "MAP_KEY_VALUE") {
    const pairs = children[0]?.children ?? [];
    const value = pairs.find((child) => child.element.name === "value") ?? pairs[1];
    return { kind: "map", value, keysOnly: pairs.length === 1 };
  }
  return { kind: "struct", fields: children };
}

/** A column of text: annotated as a string, an enum or a UUID (JSON columns are text too, read by their own parser). */
export function isTextColumn(element: SchemaElement): boolean {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  return logical === "STRING" || logical === "ENUM" || logical === "UUID" || converted === "UTF8" || converted === "ENUM";
}

export function isJsonColumn(element: SchemaElement): boolean {
  return element.logical_type?.type === "JSON" || element.converted_type === "JSON";
}

export function isDecimalColumn(element: SchemaElement): boolean {
  return element.converted_type === "DECIMAL" || element.logical_type?.type === "DECIMAL";
}
