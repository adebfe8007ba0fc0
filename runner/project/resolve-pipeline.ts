import { tmpdir } from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { compileGlob, GlobError } from "../../catalogs/index.js";
import { parseExpression } from "../middleware/expression/parse.js";
import { splitCommand } from "../process/split-command.js";
import { isBundledConnector } from "../process/resolve-command.js";
import type { CatalogSettings, ConnectorDefinition, ErrorPolicy, PipelineDefinition, SettingOrigin, PipelineTarget } from "../definition.js";
import { interpolateEnv } from "./interpolate-env.js";
import { withRotatedConfig } from "./rotated-config.js";
import { installedBinDir, installSpecOf, withInstalledPath } from "../install/install-spec.js";
import type { ConnectorEntry, PipelineEntry, Project } from "./project-types.js";

type TargetEntry = NonNullable<PipelineEntry["targets"]>[number];
const CATALOG_KEYS = ["select", "metadata", "schema"] as const;

/** Options the command line may override. */
export interface PipelineOverrides {
  readonly maxRecords?: number | undefined;
  readonly onError?: ErrorPolicy | undefined;
  readonly validate?: boolean | undefined;
  readonly idleTimeoutSeconds?: number | undefined;
  readonly resume?: boolean | undefined;
}

const INTERPRETER = /^(?:python[\d.]*|node|nodejs|bash|sh|zsh|ruby|perl|deno|bun|env)$/;

/** Entry-point file names that say nothing about the connector. */
const GENERIC_SCRIPT = /^(bin|index|main|cli|__main__)\.(c|m)?(js|ts|py)$/;

/** A connector's name for messages: its name in [connectors], else its program (the script, after an interpreter: `python3 tap.py` is tap.py). */
function connectorName(entry: string | ConnectorEntry, fallback: string): string {
  if (typeof entry === "string") return entry;
  let words: string[];
  try {
    words = splitCommand(entry.command);
  } catch {
    words = entry.command.trim().split(/\s+/);
  }
  // A generic entry script (`node …/tap-csv/bin.js`, `python3 …/tap_x/__main__.py`) is named by its folder.
  const base = (word: string): string => {
    const parts = word.split("/");
    const file = parts.at(-1) ?? word;
    const folder = parts.at(-2);
    return GENERIC_SCRIPT.test(file) && folder !== undefined && folder !== "" && folder !== "." && folder !== ".." && folder !== "dist" ? folder : file;
  };
  const first = words[0];
  if (first === undefined) return fallback;
  // `bash -c '...'` and `node -e '...'` run inline code: the interpreter is the best name there is.
  const inline = words.some((word) => word === "-c" || word === "-e");
  const script = INTERPRETER.test(base(first)) && !inline ? words.slice(1).find((word) => !word.startsWith("-")) : undefined;
  return base(script ?? first);
}

/** A connector entry (by name from [connectors], or inline) made ready to launch. */
export function resolveConnector(
  project: Pick<Project, "dir" | "connectors" | "file" | "variables" | "connectorEnv">,
  reference: string | ConnectorEntry,
  where: string,
): ConnectorDefinition {
  // A string that is no connector's name but reads as a command line (`python3 tap.py`, `./tap-x`), or names one of ours (`target-jsonl`), is that command.
  const asCommand =
    typeof reference === "string" && !Object.hasOwn(project.connectors, reference) && (/[\s/]/.test(reference.trim()) || isBundledConnector(reference));
  const entry =
    typeof reference === "string"
      ? asCommand
        ? { command: reference }
        : Object.hasOwn(project.connectors, reference)
          ? project.connectors[reference]
          : undefined
      : reference;
  if (entry === undefined) {
    throw new ConfigError(RunnerCodes.CONNECTOR_NOT_FOUND, `${where} names connector "${String(reference)}", which [connectors] does not define`, {
      where: { file: project.file },
      hint: `Add a [connectors.${String(reference)}] table with its command, or fix the name.`,
    });
  }
  const resolved = interpolateEnv(entry, where, lookup(project));
  let config = resolved.config;
  if (resolved.config_file !== undefined) {
    const file = resolve(project.dir, resolved.config_file);
    let fromFile: Record<string, unknown>;
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(RunnerCodes.CONFIG_FILE_UNREADABLE, `cannot read config_file (${(error as Error).message})`, {
        where: { file, setting: `${where}.config_file` },
        hint: "Check the path and that it holds JSON.",
      });
    }
    config = { ...fromFile, ...config };
  }
  const cwd = resolve(project.dir, resolved.cwd ?? ".");
  if (resolved.cwd !== undefined && !existsSync(cwd)) {
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `${where}.cwd is ${cwd}, which does not exist`, {
      where: { file: project.file, setting: `${where}.cwd` },
      hint: "Fix the path (relative paths start at the project's folder), or create the folder.",
    });
  }
  const originPath = typeof reference === "string" && !asCommand ? ["connectors", reference] : where.replace(/\[(\d+)\]/g, ".$1").split(".");
  const name = connectorName(asCommand ? entry : reference, where);
  const install = installSpecOf(resolved);
  // What .env and the environment define reaches the connector too (its own env table wins).
  const ownEnv = { ...project.connectorEnv, ...resolved.env };
  return {
    name,
    configOrigin: { file: project.file, path: [...originPath, "config"] },
    command: resolved.command,
    args: resolved.args ?? [],
    // An installed connector's executables are found first (its virtualenv's python too).
    env: install === undefined ? ownEnv : withInstalledPath(ownEnv, installedBinDir(project.dir, name, install.kind)),
    ...(install === undefined ? {} : { install: { ...install, projectDir: project.dir } }),
    cwd,
    config: withRotatedConfig(project.dir, name, config),
    ...(resolved.protocol === undefined ? {} : { protocol: resolved.protocol }),
    ...(resolved.catalog_flag === undefined ? {} : { catalogFlag: resolved.catalog_flag === "properties" ? "--properties" : "--catalog" }),
  };
}

/** What `${VAR}` reads, now: the process's environment, over what .env and the project's environment define. */
function lookup(project: Pick<Project, "variables">): NodeJS.ProcessEnv {
  return project.variables === undefined ? process.env : { ...project.variables, ...process.env };
}

/** A target entry: a connector (by name or inline), with the streams and records it is routed, if any. */
function resolveTarget(project: Project, reference: TargetEntry, where: string): PipelineTarget {
  if (typeof reference === "string") return { ...resolveConnector(project, reference, where), route: undefined };
  const { streams, where: condition, ...connector } = reference;
  const base = "name" in connector ? resolveConnector(project, connector.name, where) : resolveConnector(project, connector, where);
  const entry = "name" in connector ? project.connectors[connector.name] : connector;
  const misplaced = CATALOG_KEYS.find((key) => entry?.[key] !== undefined);
  if (misplaced !== undefined) {
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `${where} sets ${misplaced}, which only a tap has`, {
      where: { file: project.file },
      hint: `Move ${misplaced} to the pipeline or its tap.`,
    });
  }
  for (const [index, pattern] of (streams ?? []).entries()) {
    try {
      compileGlob(pattern);
    } catch (error) {
      if (!(error instanceof GlobError)) throw error;
      throw new ConfigError(RunnerCodes.PROJECT_INVALID, `${where}.streams[${index}]: ${error.message}`, {
        where: { file: project.file },
        hint: "Write the range low to high ([a-z]), or name the stream.",
      });
    }
  }
  if (condition !== undefined) {
    try {
      parseExpression(condition);
    } catch (error) {
      throw new ConfigError(RunnerCodes.PROJECT_INVALID, `${where}.where: ${(error as Error).message}`, {
        where: { file: project.file },
        hint: "See Routing in docs/runner.md for the expression language.",
      });
    }
  }
  return { ...base, route: streams === undefined && condition === undefined ? undefined : { streams, where: condition } };
}

/** The pipeline's catalog settings: select, metadata and schema from the pipeline, else from its tap connector. */
function catalogSettings(project: Project, name: string, entry: PipelineEntry): CatalogSettings {
  const tapPath = typeof entry.tap === "string" ? ["connectors", entry.tap] : ["pipelines", name, "tap"];
  const tap = typeof entry.tap === "string" ? project.connectors[entry.tap] : entry.tap;
  const origins: Partial<Record<(typeof CATALOG_KEYS)[number], SettingOrigin>> = {};
  for (const key of CATALOG_KEYS) {
    if (entry[key] !== undefined) origins[key] = { file: project.file, path: ["pipelines", name] };
    else if (tap?.[key] !== undefined) origins[key] = { file: project.file, path: tapPath };
  }
  const where = `pipelines.${name}`;
  return {
    discover: entry.discover,
    file: entry.catalog === undefined ? undefined : resolve(project.dir, interpolateEnv(entry.catalog, `${where}.catalog`, lookup(project))),
    select: interpolateEnv(entry.select ?? tap?.select, `${where}.select`, lookup(project)),
    metadata: interpolateEnv(entry.metadata ?? tap?.metadata, `${where}.metadata`, lookup(project)),
    schema: interpolateEnv(entry.schema ?? tap?.schema, `${where}.schema`, lookup(project)),
    origins,
  };
}

/**
 * A pipeline of the project, ready to run. `${VAR}` and `${VAR:-default}` are
 * read from the environment in every string of its entry and connectors.
 */
export function resolvePipeline(project: Project, name: string, overrides: PipelineOverrides = {}): PipelineDefinition {
  const entry = project.pipelines[name];
  if (entry === undefined) {
    const known = Object.keys(project.pipelines);
    throw new ConfigError(RunnerCodes.PIPELINE_NOT_FOUND, `no pipeline "${name}" in ${project.file}`, {
      hint: known.length === 0 ? "Add a [pipelines.NAME] table." : `Pipelines: ${known.join(", ")}.`,
    });
  }
  const targetRefs = entry.targets ?? (entry.target === undefined ? [] : [entry.target]);
  if (targetRefs.length === 0) {
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `pipeline "${name}" has no target`, {
      where: { file: project.file },
      hint: 'Add target = "name" or targets = ["a", "b"].',
    });
  }
  const targets = targetRefs.map((reference, index) =>
    resolveTarget(project, reference, entry.targets === undefined ? `pipelines.${name}.target` : `pipelines.${name}.targets[${index}]`),
  );
  // Two targets with the same name would be indistinguishable in logs: number them.
  const names = targets.map((target) => target.name);
  const unique = targets.map((target, index) => (names.indexOf(target.name) === index ? target : { ...target, name: `${target.name}#${index + 1}` }));
  return {
    name,
    tap: resolveConnector(project, entry.tap, `pipelines.${name}.tap`),
    targets: unique,
    catalog: catalogSettings(project, name, entry),
    // ${VAR} applies to every string of the entry; connectors were interpolated above, each in its own place.
    middleware: interpolateEnv(entry.middleware, `pipelines.${name}.middleware`, lookup(project)),
    validate: overrides.validate ?? entry.validate,
    onError: overrides.onError ?? entry.on_error,
    schemaChanges: entry.schema_changes,
    onCatalogIgnored: entry.on_catalog_ignored,
    idleTimeoutSeconds: overrides.idleTimeoutSeconds ?? entry.idle_timeout_seconds,
    maxRecords: overrides.maxRecords ?? entry.max_records,
    resume: overrides.resume ?? entry.resume,
    concurrency: entry.concurrency,
    batchRoots: (entry.batch_roots ?? [tmpdir(), "."]).map((root) =>
      resolve(project.dir, interpolateEnv(root, `pipelines.${name}.batch_roots`, lookup(project))),
    ),
    maxStateBytes: entry.max_state_bytes,
    maxLineBytes: entry.max_line_bytes,
    workDir: join(project.dir, ".agora", "runs"),
    projectDir: project.dir,
  };
}
