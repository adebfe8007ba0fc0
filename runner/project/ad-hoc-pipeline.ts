import { createHash } from "node:crypto";
import { commandLineSecrets, MASK } from "../../protocol/index.js";
import type { PipelineDefinition } from "../definition.js";
import { splitCommand } from "../process/split-command.js";
import type { AdHocCommands } from "../state/types.js";
import { projectFromValue } from "./load-project.js";
import { resolvePipeline, type PipelineOverrides } from "./resolve-pipeline.js";
import type { Project } from "./project-types.js";

/**
 * The name an ad hoc pipeline's checkpoint, runs and dead letters go by:
 * --name, else one derived from its tap and target commands, so a different
 * ad hoc pipeline never resumes from another's checkpoint.
 */
export function adHocName(tap: string, targets: readonly string[]): string {
  return `adhoc-${createHash("sha256")
    .update([tap, ...targets].join("\u0000"))
    .digest("hex")
    .slice(0, 8)}`;
}

/**
 * A pipeline from command lines (--tap and --target): a project of one
 * pipeline, resolved like any other. Inside a project, a word that names
 * one of its [connectors] is that connector (its config, env and install
 * included); anything else is a command line, run in `cwd`.
 */
export function adHocPipeline(
  name: string,
  tap: string,
  targets: readonly string[],
  cwd: string,
  overrides: PipelineOverrides = {},
  project?: Project,
): PipelineDefinition {
  const connectors = project?.connectors ?? {};
  const entry = (text: string): unknown => (Object.hasOwn(connectors, text) ? text : { command: text, cwd });
  const pipelines = Object.create(null) as Record<string, unknown>;
  pipelines[name] = { tap: entry(tap), targets: targets.map(entry) };
  const adHoc = projectFromValue({ connectors, pipelines }, project?.file ?? "the command line", project?.dir ?? cwd);
  // The project's environment and .env as they were read, not again.
  const inProject = project === undefined ? adHoc : { ...adHoc, variables: project.variables ?? {}, connectorEnv: project.connectorEnv ?? {} };
  return resolvePipeline(inProject, name, overrides);
}

/** A command line with the secrets in it replaced by `***` (see commandLineSecrets). */
function masked(command: string): { text: string; hid: boolean } {
  let text = command;
  for (const secret of commandLineSecrets(splitCommand(command)).sort((a, b) => b.length - a.length)) text = text.replaceAll(secret, MASK);
  return { text, hid: text !== command };
}

/** What the state store keeps of an ad hoc run, so its dead letters can be replayed: the commands, secrets masked. */
export function commandsToRemember(tap: string, targets: readonly string[], cwd: string): AdHocCommands {
  const tapLine = masked(tap);
  const targetLines = targets.map(masked);
  return { tap: tapLine.text, targets: targetLines.map((line) => line.text), cwd, masked: tapLine.hid || targetLines.some((line) => line.hid) };
}
