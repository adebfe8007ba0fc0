import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { ConfigError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { ProjectFile } from "./project-types.js";

/**
 * Where a project's settings come from besides pipelines.toml: a `.env`
 * file beside it (KEY=VALUE lines, as Meltano and most tools read them),
 * and the environment chosen (`--environment NAME`, else
 * `AGORA_ENVIRONMENT`, else the file's `default_environment`), whose
 * tables replace the project's settings. For `${VAR}`, the process's own
 * environment wins over the environment's `env`, which wins over `.env`.
 */

/** The pairs of `.env` beside the project file (none without one). */
export function readDotenv(dir: string): Record<string, string> {
  const file = join(dir, ".env");
  if (!existsSync(file)) return {};
  try {
    return parseDotenv(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(RunnerCodes.CONFIG_FILE_UNREADABLE, `cannot read .env (${(error as Error).message})`, {
      where: { file },
      hint: "It holds KEY=VALUE lines; fix or remove it.",
    });
  }
}

/** The name of the environment to use, if any. */
export function chosenEnvironment(file: ProjectFile, asked: string | undefined): string | undefined {
  const name = asked ?? process.env["AGORA_ENVIRONMENT"] ?? file.default_environment;
  return name === undefined || name === "" ? undefined : name;
}

/** The project file with environment `name`'s settings merged in; its `env` table apart. */
export function withEnvironment(
  file: ProjectFile,
  name: string,
  path: string,
): { readonly value: Record<string, unknown>; readonly env: Record<string, string> } {
  const environments = file.environments ?? {};
  const environment = Object.hasOwn(environments, name) ? environments[name] : undefined;
  if (environment === undefined) {
    const known = Object.keys(environments);
    throw new ConfigError(RunnerCodes.ENVIRONMENT_NOT_FOUND, `the project has no environment "${name}"`, {
      where: { file: path },
      hint:
        known.length === 0 ? "Add an [environments.NAME] table, or run without --environment (and AGORA_ENVIRONMENT)." : `Environments: ${known.join(", ")}.`,
    });
  }
  const { environments: _all, default_environment: _default, ...base } = file as ProjectFile & Record<string, unknown>;
  const value: Record<string, unknown> = structuredClone(base);
  if (environment.state_store !== undefined) value["state_store"] = environment.state_store;
  for (const section of ["connectors", "pipelines"] as const) {
    const overrides = environment[section] ?? {};
    const tables = (value[section] ?? {}) as Record<string, Record<string, unknown>>;
    for (const [entry, settings] of Object.entries(overrides)) {
      const table = Object.hasOwn(tables, entry) ? tables[entry] : undefined;
      if (table === undefined) {
        throw new ConfigError(RunnerCodes.ENVIRONMENT_NOT_FOUND, `environment "${name}" sets ${section}.${entry}, which the project does not have`, {
          where: { file: path, setting: `environments.${name}.${section}.${entry}` },
          hint: `Fix the name: the project's ${section} are ${Object.keys(tables).join(", ") || "none"}.`,
        });
      }
      Object.defineProperty(tables, entry, { value: merged(table, settings as Record<string, unknown>), enumerable: true, writable: true, configurable: true });
    }
    value[section] = tables;
  }
  return { value, env: { ...environment.env } };
}

/** `base` with `over`'s keys: a `config` table merged key by key, anything else replaced. */
function merged(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  // Built from entries, never assigned: a key named __proto__ stays a key (and is refused as an unknown setting), not a prototype.
  const overriding = (key: string, item: unknown): unknown => {
    const current = Object.hasOwn(base, key) ? base[key] : undefined;
    return key === "config" && isTable(current) && isTable(item) ? { ...current, ...item } : item;
  };
  return Object.fromEntries([
    ...Object.entries(base).filter(([key]) => !Object.hasOwn(over, key)),
    ...Object.entries(over).map(([key, item]) => [key, overriding(key, item)]),
  ]);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
