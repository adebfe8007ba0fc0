/** A JSON Schema as Singer taps send it (draft 4 to 7 keywords, plus extras such as `inclusion`). */
export type JsonSchema = { [key: string]: unknown };

/** A schema's `type` as a list: `"string"` → ["string"], `["null", "string"]` as it is, none → []. */
export function schemaTypes(schema: JsonSchema): string[] {
  const type = schema["type"];
  return Array.isArray(type) ? (type as string[]) : typeof type === "string" ? [type] : [];
}

/**
 * The kinds of value a property holds, as a destination column must take
 * them: its types other than null, or, with no `type`, those of its anyOf
 * branches; integer and number together are number.
 */
export function valueTypes(schema: JsonSchema): string[] {
  let types = schemaTypes(schema).filter((name) => name !== "null");
  if (types.length === 0 && Array.isArray(schema["anyOf"])) {
    types = [...new Set((schema["anyOf"] as JsonSchema[]).flatMap((branch) => schemaTypes(branch).filter((name) => name !== "null")))];
  }
  if (types.length === 2 && types.includes("integer") && types.includes("number")) types = ["number"];
  return types;
}
