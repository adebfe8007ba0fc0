import { Ajv, type Options } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import ajvDraft04Module from "ajv-draft-04";
import addFormatsModule, { type FormatsPlugin } from "ajv-formats";
import type { SchemaDialect } from "./schema-dialect.js";
import { isDateTime } from "./date-time.js";
import { linearRegExp } from "./linear-regexp.js";

// ajv-formats is CommonJS: under NodeNext the default import is its module object, whose `default` is the plugin.
const addFormats = (addFormatsModule as unknown as { default: FormatsPlugin }).default;
// The same for ajv-draft-04, whose module object is its Ajv class (with a `default` pointing at itself).
const AjvDraft04 = ((ajvDraft04Module as unknown as { default?: typeof Ajv }).default ?? ajvDraft04Module) as unknown as typeof Ajv;

/** ajv's class for each dialect: draft-04's bounds and `id`, draft-07's, and 2019-09/2020-12's (`prefixItems`, `dependentRequired`, `unevaluated*`). */
const AJV_CLASSES: Record<SchemaDialect, typeof Ajv> = {
  "draft-04": AjvDraft04,
  "draft-07": Ajv,
  "2019-09": Ajv2019 as unknown as typeof Ajv,
  "2020-12": Ajv2020 as unknown as typeof Ajv,
};

/**
 * `multipleOf` with a tolerance relative to the quotient: 1.15 is a multiple
 * of 0.01 and so is 1234567.89, though neither divides exactly in binary
 * floating point. (ajv's own `multipleOfPrecision` is absolute, so large
 * decimals fail it.)
 */
function isMultipleOf(divisor: number, value: number): boolean {
  if (divisor <= 0) return false;
  const quotient = value / divisor;
  if (!Number.isFinite(quotient)) return false;
  return Math.abs(quotient - Math.round(quotient)) <= 1e-9 * Math.max(1, Math.abs(quotient));
}

/**
 * What createAjv gives a meaning of its own, in code of this process: a
 * schema using any of them cannot be compiled into a module that runs
 * elsewhere (ajv's standalone code would name ajv's own versions).
 */
export const OWN_KEYWORDS: ReadonlySet<string> = new Set(["multipleOf", "pattern", "patternProperties"]);
/** The formats createAjv checks its own way (the date-time of RFC 3339, leap seconds included). */
const OWN_FORMAT_CHECKS: Readonly<Record<string, (text: string) => boolean>> = { "date-time": isDateTime };
export const OWN_FORMATS: ReadonlySet<string> = new Set(Object.keys(OWN_FORMAT_CHECKS));

/**
 * An ajv instance configured for schemas from the wild: unknown keywords
 * (`inclusion`, `selected`, ...) and formats are ignored rather than fatal,
 * `"type": ["null", "string"]` unions are allowed, draft-04 `$schema` URIs do
 * not stop compilation, `multipleOf` tolerates float rounding, and
 * `pattern`s match in linear time (RE2). `dialect` picks the JSON Schema
 * draft whose meaning keywords have (see schemaDialect).
 */
export function createAjv(options: Options = {}, dialect: SchemaDialect = "draft-07"): Ajv {
  const ajv = new AJV_CLASSES[dialect]({
    strict: false,
    allowUnionTypes: true,
    // A record without "constructor" or "toString" has no such property: nothing inherited from Object is looked at.
    ownProperties: true,
    validateSchema: false,
    logger: false,
    // Schema patterns run on RE2: linear time whatever the pattern and the value.
    ...options,
    // Without ajv's optimizing pass, a schema compiles in 0.29 ms instead of 0.65 ms and validates as fast (116 ns a record either way,
    // measured): what a tap with 2,000 tables, each its own schema, pays in the runner and again in each target.
    code: { regExp: linearRegExp, optimize: false, ...options.code },
  });
  addFormats(ajv);
  ajv.removeKeyword("multipleOf");
  ajv.addKeyword({
    keyword: "multipleOf",
    type: "number",
    schemaType: "number",
    validate: isMultipleOf,
    errors: false,
  });
  for (const [name, validate] of Object.entries(OWN_FORMAT_CHECKS)) ajv.addFormat(name, { type: "string", validate });
  return ajv;
}
