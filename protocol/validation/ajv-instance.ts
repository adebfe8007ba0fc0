import { createRequire } from "node:module";
import type { Ajv, Options } from "ajv";
import type { FormatsPlugin } from "ajv-formats";
import type { SchemaDialect } from "./schema-dialect.js";
import { isDateTime } from "./date-time.js";
import { linearRegExp } from "./linear-regexp.js";

/** ajv's class for each dialect, and its formats plugin. */
interface AjvModules {
  readonly classes: Readonly<Record<SchemaDialect, typeof Ajv>>;
  readonly addFormats: FormatsPlugin;
}

let modules: AjvModules | undefined;

/**
 * ajv and its plugins, loaded at the first createAjv: a process that never
 * compiles a schema (most of agora's commands, a run whose records its
 * targets validate) never evaluates them, about 14 ms of a start
 * (docs/performance.md). In the build, esbuild turns each `require` below
 * into a call of the bundled module; run from source, Node loads it.
 */
function ajvModules(): AjvModules {
  if (modules !== undefined) return modules;
  const load = typeof require === "function" ? undefined : createRequire(import.meta.url);
  // Each CommonJS module's exports are its class or plugin, with the same under `default`.
  const loaded =
    load === undefined
      ? [require("ajv"), require("ajv/dist/2019.js"), require("ajv/dist/2020.js"), require("ajv-draft-04"), require("ajv-formats")]
      : [load("ajv"), load("ajv/dist/2019.js"), load("ajv/dist/2020.js"), load("ajv-draft-04"), load("ajv-formats")];
  const [ajv, ajv2019, ajv2020, draft04, formats] = loaded as [
    { Ajv: typeof Ajv },
    { Ajv2019: typeof Ajv },
    { Ajv2020: typeof Ajv },
    typeof Ajv,
    FormatsPlugin,
  ];
  modules = {
    // draft-04's bounds and `id`, draft-07's, and 2019-09/2020-12's (`prefixItems`, `dependentRequired`, `unevaluated*`).
    classes: { "draft-04": draft04, "draft-07": ajv.Ajv, "2019-09": ajv2019.Ajv2019, "2020-12": ajv2020.Ajv2020 },
    addFormats: formats,
  };
  return modules;
}

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
  const { classes, addFormats } = ajvModules();
  const ajv = new classes[dialect]({
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
