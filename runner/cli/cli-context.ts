import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createLogger, UsageError, type Logger, type LogLevel } from "../../protocol/index.js";
import { DEFAULT_STATE_STORE, loadProject, PROJECT_FILE } from "../project/load-project.js";
import type { Project } from "../project/project-types.js";
import type { StateStore } from "../state/interfaces.js";
import { openStateStore } from "../state/open-state-store.js";
import { isPostgresLocation } from "../state/postgres/postgres-location.js";
import { RunnerCodes } from "../errors.js";

/** Options every agora command shares. */
export interface CommonOptions {
  readonly project?: string;
  readonly stateStore?: string;
  readonly logLevel: LogLevel;
  readonly debug?: boolean;
  readonly json?: boolean;
  /** The environment to read the project in (--environment); else AGORA_ENVIRONMENT, else the project's default_environment. */
  readonly environment?: string;
}

export function loggerFor(options: CommonOptions): Logger {
  return createLogger("agora", options.debug === true ? "debug" : options.logLevel);
}

/**
 * The project, when there is one: --project (which must exist), else the
 * pipelines.toml of the working folder or the nearest folder above it, as
 * git finds its repository; read in the environment --environment names.
 */
export function maybeProject(options: CommonOptions): Project | undefined {
  const environment = { environment: options.environment };
  if (options.project !== undefined) return loadProject(options.project, environment);
  const found = findProjectFile(process.cwd());
  return found === undefined ? undefined : loadProject(found, environment);
}

/** The project a command about one pipeline needs: --project, else the nearest pipelines.toml, else a usage error saying so. */
export function requireProject(options: CommonOptions, why = "no pipelines.toml here"): Project {
  const project = maybeProject(options) ?? (options.project === undefined ? loadProject(PROJECT_FILE, { environment: options.environment }) : undefined);
  if (project === undefined) throw new UsageError(RunnerCodes.USAGE, why, { hint: "Run it in a project folder, or pass --project FILE." });
  return project;
}

/** The pipelines.toml of `dir` or of the nearest folder above it. */
export function findProjectFile(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    const candidate = join(current, PROJECT_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The state store a command works on: --state-store, else the project's, else .agora/state.db here. */
export function projectStore(options: CommonOptions, project: Project | undefined = maybeProject(options)): StateStore {
  const location = options.stateStore ?? process.env["AGORA_STATE_STORE"];
  if (location !== undefined) return openStateStore(location === "memory:" || isPostgresLocation(location) ? location : resolve(location));
  return openStateStore(project?.stateStore ?? resolve(DEFAULT_STATE_STORE));
}

/** Writes to stdout and waits until it is handed to the OS (before process.exit). */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolveWrite) => process.stdout.write(text, () => resolveWrite()));
}
