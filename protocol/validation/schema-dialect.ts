import type { JsonSchema } from "../messages/types.js";

/** The JSON Schema dialects Agora validates with, each with its own meaning of some keywords. */
export type SchemaDialect = "draft-04" | "draft-07" | "2019-09" | "2020-12";

/**
 * The dialect a SCHEMA is written in: the one its `$schema` names, else
 * draft-04 when it uses draft-04's boolean `exclusiveMaximum` /
 * `exclusiveMinimum` (singer-python taps send `"exclusiveMaximum": true,
 * "maximum": 1e38` for every numeric column, without a `$schema`), else
 * draft-07, the Singer default. Draft-06 is read as draft-07, draft-03 as
 * draft-04: the differences do not touch what taps send.
 */
export function schemaDialect(schema: JsonSchema | boolean): SchemaDialect {
  if (typeof schema === "boolean") return "draft-07";
  const declared = schema["$schema"];
  if (typeof declared === "string") {
    if (/draft-0[34]\b/.test(declared)) return "draft-04";
    if (declared.includes("2019-09")) return "2019-09";
    if (declared.includes("2020-12")) return "2020-12";
    if (/draft-0[67]\b/.test(declared)) return "draft-07";
  }
  let draft04 = false;
  visitSchemas(schema, (node) => {
    if (typeof node["exclusiveMaximum"] === "boolean" || typeof node["exclusiveMinimum"] === "boolean") draft04 = true;
  });
  return draft04 ? "draft-04" : "draft-07";
}

/**
 * The schema as a validator compiles it: `$schema`, `$id` and `id` left out
 * (the dialect is chosen already, and taps reuse ids), and `{"enum": []}`,
 * which JSON Schema allows and ajv refuses, as the schema it means: no
 * value is valid. The schema given is not changed.
 */
export function compilableSchema(schema: JsonSchema | boolean): JsonSchema | boolean {
  if (typeof schema === "boolean") return schema;
  const { $schema: _dialect, $id: _id, id: _legacyId, ...rest } = schema;
  return rewrite(rest, 0) as JsonSchema;
}

/** Keywords whose values are data (instances), not schemas. */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples", "required", "type", "format", "pattern"]);
/** Keywords whose values are maps from names to schemas. */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "dependencies"]);
/** Deeper than this, a schema is handed on as it is (ajv judges it). */
const MAX_DEPTH = 256;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function rewrite(node: Record<string, unknown>, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) return node;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(node)) {
    const value = node[key];
    let next: unknown = value;
    if (DATA_KEYWORDS.has(key)) next = value;
    else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      const map: Record<string, unknown> = {};
      for (const name of Object.keys(value))
        define(map, name, isObject(value[name]) ? rewrite(value[name] as Record<string, unknown>, depth + 1) : value[name]);
      next = map;
    } else if (Array.isArray(value)) next = value.map((item) => (isObject(item) ? rewrite(item, depth + 1) : item));
    else if (isObject(value)) next = rewrite(value, depth + 1);
    define(copy, key, next);
  }
  if (Array.isArray(copy["enum"]) && copy["enum"].length === 0) {
    delete copy["enum"];
    // Nothing is valid: `not: {}`, beside any `not` already there.
    if (copy["not"] === undefined) copy["not"] = {};
    else copy["allOf"] = [...(Array.isArray(copy["allOf"]) ? copy["allOf"] : []), { not: {} }];
  }
  return copy;
}

/** Every (sub)schema object of a schema, the root first. */
export function visitSchemas(node: Record<string, unknown>, visit: (node: Record<string, unknown>) => void, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  visit(node);
  for (const key of Object.keys(node)) {
    if (DATA_KEYWORDS.has(key)) continue;
    const value = node[key];
    if (SCHEMA_MAPS.has(key) && isObject(value)) {
      for (const name of Object.keys(value)) if (isObject(value[name])) visitSchemas(value[name] as Record<string, unknown>, visit, depth + 1);
    } else if (Array.isArray(value)) {
      for (const item of value) if (isObject(item)) visitSchemas(item, visit, depth + 1);
    } else if (isObject(value)) visitSchemas(value, visit, depth + 1);
  }
}

/** An own property even for the name __proto__. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
