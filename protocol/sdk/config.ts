import type { ValidateFunction } from "ajv";
import { ConfigError } from "../errors.js";
import type { JsonSchema } from "../messages/types.js";
import { SETTINGS_AJV_OPTIONS } from "./compiled-settings.js";
import { readJsonFile } from "./read-json-file.js";
import { registerConfigSecrets } from "../secrets/secret-values.js";
import { ProtocolCodes } from "../messages/codes.js";

export type ConnectorConfig = { [key: string]: unknown };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Later values win; objects merge key by key, anything else is replaced. */
export function mergeConfigs(configs: readonly Record<string, unknown>[]): ConnectorConfig {
  const merged: Record<string, unknown> = {};
  for (const config of configs) {
    for (const [key, value] of Object.entries(config)) {
      const current = merged[key];
      merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeConfigs([current, value]) : value;
    }
  }
  return merged;
}

/** "/files/0/path" → "files[0].path" */
function settingName(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((name, part) => (/^\d+$/.test(part) ? `${name}[${part}]` : name === "" ? part : `${name}.${part}`), "");
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/**
 * Validates a merged config against a settings schema, filling in defaults.
 * The error names the setting and the files, never the value (it may be a secret).
 */
export function validateConfig(config: ConnectorConfig, files: readonly string[], connector: string, validate: ValidateFunction): ConnectorConfig {
  const copy = structuredClone(config);
  if (validate(copy)) return copy;
  // Every problem at once, so a config is fixed in one go rather than one error per run.
  const problems: Array<{ setting: string; problem: string }> = [];
  for (const error of validate.errors ?? []) {
    const params = error.params as Record<string, unknown>;
    let pointer = error.instancePath;
    let problem: string;
    if (error.keyword === "required") {
      pointer = `${pointer}/${String(params["missingProperty"])}`;
      problem = "is required";
    } else if (error.keyword === "additionalProperties") {
      pointer = `${pointer}/${String(params["additionalProperty"])}`;
      problem = "is not a setting of this connector";
    } else if (error.keyword === "type") {
      problem = `must be ${String(params["type"])}, not ${typeOf(valueAtPointer(copy, pointer))}`;
    } else if (error.keyword === "enum") {
      problem = `must be one of ${(params["allowedValues"] as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
    } else {
      problem = error.message ?? "is invalid";
    }
    const setting = settingName(pointer) || "(config)";
    if (!problems.some((known) => known.setting === setting && known.problem === problem)) problems.push({ setting, problem });
  }
  const [first] = problems;
  const setting = first?.setting ?? "(config)";
  const source = files.length === 0 ? "the config" : files.join(", ");
  throw new ConfigError(ProtocolCodes.CONFIG_INVALID, problems.map((item) => `setting "${item.setting}" ${item.problem}`).join("; "), {
    where: { connector, setting },
    hint: `Fix ${problems.length === 1 ? "it" : "them"} in ${source}; \`${connector} --about --format markdown\` lists every setting.`,
  });
}

function valueAtPointer(root: unknown, pointer: string): unknown {
  let current = root;
  for (const part of pointer.split("/").slice(1)) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** The path of a key named `__proto__` anywhere in a value ("auth.__proto__"), if there is one. */
function protoKeyPath(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = protoKeyPath(item, `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const here = path === "" ? key : `${path}.${key}`;
    if (key === "__proto__") return here;
    const found = protoKeyPath(item, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * `settings` compiled at start, for a connector whose build wrote no validator for them. ajv is
 * loaded only then: a tap of ours, whose validator was compiled ahead of time, never loads it
 * (about 300 KB of code, a fifth of a tap's start).
 */
async function compileSettings(settings: JsonSchema): Promise<ValidateFunction> {
  const { createAjv } = await import("../validation/ajv-instance.js");
  return createAjv(SETTINGS_AJV_OPTIONS).compile(settings);
}

/**
 * Reads, merges and validates the --config files, and registers the
 * config's secrets (settings the schema marks secret, and settings named
 * like credentials) so that nothing the connector writes to stderr shows
 * them. `compiled` is `settings` compiled ahead of time (compiled-settings.ts),
 * when there is such a validator.
 */
export async function loadConfig(files: readonly string[], settings: JsonSchema, connector: string, compiled?: ValidateFunction): Promise<ConnectorConfig> {
  const configs = files.map((file) => {
    const value = readJsonFile(file, "--config");
    if (!isPlainObject(value)) {
      throw new ConfigError(ProtocolCodes.CONFIG_INVALID, "the config must be a JSON object", { where: { connector, file }, hint: `Fix ${file}.` });
    }
    // No setting is called __proto__, and merging one would change an object's prototype: refuse it rather than drop it.
    const proto = protoKeyPath(value, "");
    if (proto !== undefined) {
      throw new ConfigError(ProtocolCodes.CONFIG_INVALID, `the config has a key named "__proto__" (${proto}), which no setting has`, {
        where: { connector, file, setting: proto },
        hint: `Remove it from ${file}.`,
      });
    }
    return value;
  });
  const config = validateConfig(mergeConfigs(configs), files, connector, compiled ?? (await compileSettings(settings)));
  registerConfigSecrets(config, settings);
  return config;
}
