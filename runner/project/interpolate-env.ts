import { ConfigError } from "../../protocol/index.js";
import { registerSecret } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` (or `${NAME:-default}`) in every string of a value with
 * the environment variable, so secrets stay out of pipelines.toml (and
 * registers each such value to be masked in everything the runner shows or
 * keeps). A variable that is unset and has no default is an error naming it.
 */
export function interpolateEnv<T>(value: T, where: string, env: NodeJS.ProcessEnv = process.env): T {
  if (typeof value === "string") {
    return value.replace(VARIABLE, (_match, name: string, fallback: string | undefined) => {
      const fromEnvironment = env[name];
      // A value from the environment is kept out of pipelines.toml for a reason: it is masked wherever it would show.
      if (fromEnvironment !== undefined) registerSecret(fromEnvironment);
      const found = fromEnvironment ?? fallback;
      if (found === undefined) {
        throw new ConfigError(RunnerCodes.ENV_VARIABLE_MISSING, `environment variable ${name} is not set`, {
          where: { setting: where },
          hint: `Set ${name}, or give a default as \${${name}:-value}.`,
        });
      }
      return found;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, `${where}[${index}]`, env)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, `${where}.${key}`, env)])) as T;
  }
  return value;
}
