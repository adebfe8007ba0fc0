import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { ValidateFunction } from "ajv";
import type { JsonSchema } from "../messages/types.js";

/*
 * A connector's settings schema compiled ahead of time. ajv compiling it
 * at every start was a fifth of a connector's start-up (tap-csv
 * --discover: 34 ms of 147 in a profile); `npm run build` writes the
 * compiled code beside each of our executables (settings-validator.cjs,
 * by settings-validator-source.ts) and the executable passes its URL to
 * `main`. A connector of any other author, or a file written for other
 * settings, compiles at start as before.
 */

/** The ajv options of a settings validator: defaults filled in, every problem reported. */
export const SETTINGS_AJV_OPTIONS = { useDefaults: true, allErrors: true } as const;

/** What identifies a settings schema: its JSON text (compared as it is, so no connector loads node:crypto to start). */
export function settingsKey(settings: JsonSchema): string {
  return JSON.stringify(settings);
}

/**
 * The validator compiled into `file` for exactly `settings`; undefined when
 * there is none, or it was written for other settings. Its helpers (ajv's
 * runtime, ajv-formats) are the SDK's own, wherever the file is.
 */
export function compiledSettingsValidator(file: URL | undefined, settings: JsonSchema): ValidateFunction | undefined {
  if (file === undefined) return undefined;
  let source: string;
  try {
    source = readFileSync(fileURLToPath(file), "utf8");
  } catch {
    return undefined;
  }
  const module = { exports: {} as unknown };
  new Function("module", "exports", "require", source)(module, module.exports, createRequire(import.meta.url));
  const compiled = module.exports as ValidateFunction & { settingsKey?: unknown };
  return typeof compiled === "function" && compiled.settingsKey === settingsKey(settings) ? compiled : undefined;
}
