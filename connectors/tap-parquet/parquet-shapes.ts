import type { SchemaElement, SchemaTree } from "hyparquet";

/**
 * What a node of a Parquet schema is, as both the SCHEMA tap-parquet
 * announces (parquet-schema.ts) and the reading of its values
 * (parquet-values.ts) need to know it: the same answer in both places.
 */
export type ParquetShape =
  | { readonly kind: "list"; readonly item: SchemaTree | undefined }
  | { readonly kind: "map"; readonly value: SchemaTree | undefined }
  | { readonly kind: "struct"; readonly fields: readonly SchemaTree[] }
  | { readonly kind: "leaf" };

export function parquetShape(node: SchemaTree): ParquetShape {
  const { element, children } = node;
  if (children.length === 0) return { kind: "leaf" };
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  if (logical === "LIST" || converted === "LIST") {
    // LIST → repeated group "list" → "element" (or legacy shapes with the element directly).
    const repeated = children[0];
    return { kind: "list", item: repeated !== undefined && repeated.children.length === 1 ? repeated.children[0] : repeated };
  }
  if (logical === "MAP" || converted === "MAP" || converted === "MAP_KEY_VALUE") return { kind: "map", value: children[0]?.children[1] };
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
