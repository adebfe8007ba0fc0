import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import type { CatalogCache } from "../state/interfaces.js";
import { builtFile } from "../process/package-root.js";
import { isBundledConnector, resolveCommand } from "../process/resolve-command.js";
import { splitCommand } from "../process/split-command.js";
import { argsWithConfig } from "./connector-config.js";
import { aboutFromJson, askAbout, batchFormatsOf, type ConnectorAbout } from "./about.js";
import { askSpec, speaksAirbyte } from "../airbyte/airbyte-commands.js";
import type { ConnectorDefinition, PipelineDefinition } from "../definition.js";

/**
 * A connector's `--about`, asked once per version of its files: each run
 * would otherwise start it one more time just to hear what it can do (a
 * quarter of a second of CPU for a Node or Python tap). The answer is kept
 * in the state store's cache under a digest of the resolved command, its
 * arguments, env and cwd, and the size and modification time of every file
 * the command names (the executable found on PATH, the script after an
 * interpreter), so an upgraded connector is asked again. A command whose
 * files cannot all be found is asked every time.
 */
export async function aboutCached(
  connector: ConnectorDefinition,
  configArgs: readonly string[],
  cache: CatalogCache,
  pipeline: string,
): Promise<ConnectorAbout> {
  const cached = await cachedAbout(connector, cache);
  if (cached !== undefined) return cached;
  const key = aboutKey(connector);
  const about = await askConnector(connector, configArgs);
  if (key !== undefined) await cache.saveCachedCatalog(key, pipeline, about);
  return about;
}

/**
 * What the connector says of itself: an Airbyte connector (`protocol =
 * "airbyte"`) is asked its `spec`; any other its `--about`. A command named
 * as Airbyte names its sources (`source-x`) that refuses `--about` (as an
 * Airbyte connector's argument parser does) is asked its `spec` too, unless
 * the project says it speaks Singer: a SPEC answer makes it an Airbyte
 * source. Other commands are never asked `spec`: a script that ignores its
 * arguments would run a sync for it.
 */
async function askConnector(connector: ConnectorDefinition, configArgs: readonly string[]): Promise<ConnectorAbout> {
  if (connector.protocol === "airbyte") return (await askSpec(connector)) ?? { capabilities: undefined, version: undefined, protocol: "airbyte" };
  const about = await askAbout(connector.command, configArgs, connector.cwd, connector.env);
  if (about.aboutRefused !== true || !speaksAirbyte(connector, "source-")) return about;
  return (await askSpec(connector)) ?? about;
}

/** The connector's `--about` as cached by an earlier probe (or shipped with one of ours), without asking it. */
export async function cachedAbout(connector: ConnectorDefinition, cache: CatalogCache): Promise<ConnectorAbout | undefined> {
  const shipped = shippedAbout(connector.command);
  if (shipped !== undefined) return shipped;
  const key = aboutKey(connector);
  if (key === undefined) return undefined;
  return (await cache.getCachedCatalog(key))?.catalog as ConnectorAbout | undefined;
}

/**
 * The `--about` of one of our own connectors, as the build wrote it beside
 * its executable (dist/connectors/NAME/about.json, from `NAME --about
 * --format json`): a name of ours always runs ours, and what it says of
 * itself is fixed when it is built. Undefined for anyone else's connector,
 * or when the build wrote none.
 */
function shippedAbout(command: string): ConnectorAbout | undefined {
  if (!isBundledConnector(command)) return undefined;
  const [name] = splitCommand(command);
  try {
    return aboutFromJson(readFileSync(builtFile("connectors", name as string, "about.json"), "utf8"));
  } catch {
    return undefined;
  }
}

/** The cache key, or undefined when a file of the command cannot be found (nothing to tell versions apart by). */
export function aboutKey(connector: ConnectorDefinition): string | undefined {
  let resolved;
  try {
    resolved = resolveCommand(connector.command, connector.args);
  } catch {
    return undefined;
  }
  const words = [resolved.file, ...resolved.args];
  const files: string[] = [];
  const executable = findExecutable(resolved.file, connector.cwd, connector.env);
  if (executable === undefined) return undefined;
  files.push(fileIdentity(executable) ?? "");
  // Scripts and other files the arguments name (`python3 connector.py`): their versions count too.
  for (const word of resolved.args) {
    if (word.startsWith("-")) continue;
    const identity = fileIdentity(resolve(connector.cwd, word));
    if (identity !== undefined) files.push(identity);
  }
  const env = Object.entries(connector.env).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `about:${createHash("sha256")
    .update(JSON.stringify({ words, cwd: connector.cwd, env, files, protocol: connector.protocol ?? null }))
    .digest("hex")}`;
}

/** `path|size|mtime` of a file, following links; undefined if it is not a file. */
function fileIdentity(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return stats.isFile() ? `${path}|${stats.size}|${stats.mtimeMs}` : undefined;
  } catch {
    return undefined;
  }
}

/** Where a command's executable is: a path as it is, else the first match in the project's node_modules/.bin and PATH. */
function findExecutable(file: string, cwd: string, env: Readonly<Record<string, string>>): string | undefined {
  if (file.includes("/")) return fileIdentity(isAbsolute(file) ? file : resolve(cwd, file)) === undefined ? undefined : resolve(cwd, file);
  const path = env["PATH"] ?? process.env["PATH"] ?? "";
  for (const folder of [join(cwd, "node_modules", ".bin"), ...path.split(delimiter).filter((entry) => entry !== "")]) {
    const candidate = join(folder, file);
    if (fileIdentity(candidate) !== undefined) return candidate;
  }
  return undefined;
}

/** The BATCH formats each target of a pipeline reads, from its `--about` (cached like a tap's), its config written into `workDir`. */
export function probeBatchFormats(definition: PipelineDefinition, workDir: string, cache: CatalogCache): Promise<ReadonlyArray<readonly string[]>> {
  return Promise.all(
    definition.targets.map(async (target) => batchFormatsOf(await aboutCached(target, argsWithConfig(target, workDir), cache, definition.name))),
  );
}
