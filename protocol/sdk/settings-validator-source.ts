import standalone from "ajv/dist/standalone/index.js";
import type { JsonSchema } from "../messages/types.js";
import { createAjv, OWN_FORMATS, OWN_KEYWORDS } from "../validation/ajv-instance.js";
import { SETTINGS_AJV_OPTIONS, settingsKey } from "./compiled-settings.js";

/*
 * The build's half of compiled-settings.ts, apart so that no connector
 * loads ajv's code generator at start.
 */

type Standalone = (ajv: unknown, validate: unknown) => string;

/**
 * The CommonJS module of `settings` compiled, exporting the validator and
 * its settingsKey; undefined when the schema uses what createAjv gives a
 * meaning of its own (OWN_KEYWORDS, OWN_FORMATS), which the module could
 * not run the same way.
 */
export function settingsValidatorSource(settings: JsonSchema): string | undefined {
  if (usesOwnMeanings(settings)) return undefined;
  const ajv = createAjv({ ...SETTINGS_AJV_OPTIONS, code: { source: true } });
  const generate = ((standalone as unknown as { default?: Standalone }).default ?? standalone) as unknown as Standalone;
  return `${generate(ajv, ajv.compile(settings))}\nmodule.exports.settingsKey = ${JSON.stringify(settingsKey(settings))};\n`;
}

/** True when a keyword or format of createAjv's own appears anywhere in the schema (a setting named so counts too: it is only compiled at start). */
function usesOwnMeanings(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(usesOwnMeanings);
  if (typeof value !== "object" || value === null) return false;
  for (const [key, item] of Object.entries(value)) {
    if (OWN_KEYWORDS.has(key) || (key === "format" && typeof item === "string" && OWN_FORMATS.has(item))) return true;
    if (usesOwnMeanings(item)) return true;
  }
  return false;
}
