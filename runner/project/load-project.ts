import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { ConfigError, createAjv } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { PROJECT_SCHEMA } from "./project-schema.js";
import type { Project, ProjectFile } from "./project-types.js";

export const PROJECT_FILE = "pipelines.toml";
export const DEFAULT_STATE_STORE = PROJECT_SCHEMA.properties.state_store.default;

/** "/pipelines/daily/tap" → "pipelines.daily.tap" */
function dotted(pointer: string): string {
  return pointer.split("/").slice(1).join(".");
}

/** Loads and checks a pipelines.toml; every error names the file, the line or setting, and what to do. */
export function loadProject(file: string = PROJECT_FILE): Project {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new ConfigError(RunnerCodes.PROJECT_NOT_FOUND, "no pipelines.toml here", {
      where: { file: path },
      hint: "Run `agora init` to make a project, pass --project FILE, or run ad hoc with --tap and --target.",
    });
  }
  let parsed: unknown;
  try {
    parsed = parseToml(readFileSync(path, "utf8"));
  } catch (error) {
    const line = error instanceof TomlError ? error.line : undefined;
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `not valid TOML: ${(error as Error).message.split("\n")[0] ?? ""}`, {
      where: { file: path, ...(line === undefined ? {} : { line }) },
      hint: "Fix the TOML syntax.",
      cause: error,
    });
  }
  return projectFromValue(parsed, path);
}

// Compiled once; `useDefaults` fills in every setting the schema has a default for.
const validateProject = createAjv({ useDefaults: true }).compile<ProjectFile>(PROJECT_SCHEMA);

/**
 * A project from an already parsed pipelines.toml (or one built in memory,
 * as for an ad-hoc run): checked against the schema, its defaults applied.
 */
export function projectFromValue(value: unknown, file: string, dir: string = dirname(file)): Project {
  const parsed = structuredClone(value);
  if (!validateProject(parsed)) {
    const error = validateProject.errors?.[0];
    const params = (error?.params ?? {}) as Record<string, unknown>;
    const at = dotted(error?.instancePath ?? "");
    const what =
      error?.keyword === "additionalProperties"
        ? `unknown setting "${String(params["additionalProperty"])}"${at === "" ? "" : ` in ${at}`}`
        : error?.keyword === "required"
          ? `${at === "" ? "" : `${at}: `}missing "${String(params["missingProperty"])}"`
          : `${at}: ${error?.message ?? "is invalid"}`;
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, what, { where: { file }, hint: "See docs/runner.md for the pipelines.toml format." });
  }
  return {
    file,
    dir,
    stateStore: resolve(dir, parsed.state_store),
    connectors: parsed.connectors,
    pipelines: parsed.pipelines,
    worker: parsed.worker,
  };
}
