import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { ConfigError, createAjv, registerSecret } from "../../protocol/index.js";
import { validate as validateProjectFile } from "./project-validator.generated.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import { RunnerCodes } from "../errors.js";
import { PROJECT_SCHEMA } from "./project-schema.js";
import type { Project, ProjectFile } from "./project-types.js";
import { isPostgresLocation } from "../state/postgres/postgres-location.js";
import { interpolateEnv } from "./interpolate-env.js";
import { chosenEnvironment, readDotenv, withEnvironment } from "./project-environment.js";

export const PROJECT_FILE = "pipelines.toml";
export const DEFAULT_STATE_STORE = PROJECT_SCHEMA.properties.state_store.default;

/** "/pipelines/daily/tap" → "pipelines.daily.tap" */
function dotted(pointer: string): string {
  return pointer.split("/").slice(1).join(".");
}

/** Loads and checks a pipelines.toml; every error names the file, the line or setting, and what to do. */
export function loadProject(file: string = PROJECT_FILE, options: ProjectOptions = {}): Project {
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
  return projectFromValue(parsed, path, dirname(path), options);
}

/** How to read a project: in which environment (else AGORA_ENVIRONMENT, else the file's default_environment). */
export interface ProjectOptions {
  readonly environment?: string | undefined;
}

// Compiled ahead of time (project-validator.generated.ts, from PROJECT_SCHEMA); it fills in every setting the schema has a default for.
const validateProject = (value: unknown): value is ProjectFile => validateProjectFile(value);
// The same schema, reporting every problem: compiled and run only when the file is invalid. It checks one small file once: ajv's
// optimizing pass over its generated code would cost more than it saves.
const ONCE = { code: { optimize: false } } as const;
let problemFinder: ValidateFunction | undefined;
const findAllProblems = (value: unknown): readonly ProblemError[] => {
  problemFinder ??= createAjv({ allErrors: true, ...ONCE }).compile(PROJECT_SCHEMA);
  problemFinder(value);
  return problemFinder.errors ?? [];
};

type ProblemError = ErrorObject;

/**
 * The errors worth showing. A value that fits none of a oneOf's forms (a
 * connector name, a table with a command, ...) gets every form's
 * complaints: of those, keep the complaints of the form it comes closest to
 * (fewest complaints, and not only "wrong type"), or else the oneOf's own.
 */
function closestErrors(errors: readonly ProblemError[]): ProblemError[] {
  const insideOf = (choice: ProblemError, error: ProblemError): boolean =>
    error !== choice &&
    error.schemaPath.startsWith(`${choice.schemaPath}/`) &&
    (error.instancePath === choice.instancePath || error.instancePath.startsWith(`${choice.instancePath}/`));
  const dropped = new Set<ProblemError>();
  for (const choice of errors.filter((error) => error.keyword === "oneOf")) {
    const forms = new Map<string, ProblemError[]>();
    for (const error of errors.filter((candidate) => insideOf(choice, candidate))) {
      const form = error.schemaPath.slice(choice.schemaPath.length + 1).split("/")[0] ?? "";
      forms.set(form, [...(forms.get(form) ?? []), error]);
      dropped.add(error);
    }
    const candidates = [...forms.entries()].filter(
      ([form, found]) => !found.every((error) => error.keyword === "type" && error.schemaPath === `${choice.schemaPath}/${form}/type`),
    );
    const best = candidates.sort((left, right) => left[1].length - right[1].length)[0];
    if (best === undefined) continue;
    dropped.add(choice);
    for (const error of best[1]) dropped.delete(error);
  }
  return errors.filter((error) => !dropped.has(error));
}

/** One sentence per problem of an invalid project, each naming the setting. */
function projectProblems(value: unknown): string[] {
  const kept = closestErrors(findAllProblems(structuredClone(value)));
  const problems = kept.map((error) => {
    const params = error.params as Record<string, unknown>;
    const at = dotted(error.instancePath);
    if (error.keyword === "additionalProperties") return `unknown setting "${String(params["additionalProperty"])}"${at === "" ? "" : ` in ${at}`}`;
    if (error.keyword === "required") return `${at === "" ? "" : `${at}: `}missing "${String(params["missingProperty"])}"`;
    if (error.keyword === "enum") return `${at}: must be one of ${(params["allowedValues"] as unknown[]).map((item) => JSON.stringify(item)).join(", ")}`;
    if (error.keyword === "oneOf") return `${at}: must be a connector name or a table with a command (or, in targets, { name = "..." })`;
    return `${at}: ${error.message ?? "is invalid"}`;
  });
  return [...new Set(problems)];
}

/**
 * A project from an already parsed pipelines.toml (or one built in memory,
 * as for an ad-hoc run): checked against the schema, its defaults applied.
 */
export function projectFromValue(value: unknown, file: string, dir: string = dirname(file), options: ProjectOptions = {}): Project {
  const checked = checkedProject(value, file, "");
  const name = chosenEnvironment(checked, options.environment);
  const chosen = name === undefined ? undefined : withEnvironment(checked, name, file);
  const parsed = chosen === undefined ? checked : checkedProject(chosen.value, file, ` (in environment "${name}")`);
  const dotenv = readDotenv(dir);
  // .env is where secrets are kept out of pipelines.toml: its values are masked wherever they would show.
  for (const secret of Object.values(dotenv)) registerSecret(secret);
  const defined = { ...dotenv, ...chosen?.env };
  const connectorEnv = Object.fromEntries(Object.entries(defined).filter(([key]) => process.env[key] === undefined));
  return {
    file,
    dir,
    stateStore: stateStoreLocation(dir, parsed.state_store, { ...defined, ...process.env }),
    connectors: parsed.connectors,
    pipelines: parsed.pipelines,
    worker: parsed.worker,
    ...(name === undefined ? {} : { environment: name }),
    variables: defined,
    connectorEnv,
  };
}

/** The value checked against the schema, its defaults filled in; `context` says in which environment, for errors. */
function checkedProject(value: unknown, file: string, context: string): ProjectFile {
  const parsed = structuredClone(value);
  if (!validateProject(parsed)) {
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `${projectProblems(value).join("; ")}${context}`, {
      where: { file },
      hint: "See docs/runner.md for the pipelines.toml format.",
    });
  }
  return parsed;
}

/** The state store: a Postgres URL (with `${VAR}` read from the environment, for its password) as it is, a file relative to the project. */
function stateStoreLocation(dir: string, written: string, variables: NodeJS.ProcessEnv): string {
  const location = interpolateEnv(written, "state_store", variables);
  return isPostgresLocation(location) || location === "memory:" ? location : resolve(dir, location);
}
