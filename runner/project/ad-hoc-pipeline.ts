import { createHash } from "node:crypto";
import { commandLineSecrets, MASK } from "../../protocol/index.js";
import type { PipelineDefinition } from "../definition.js";
import { splitCommand } from "../process/split-command.js";
import type { AdHocCommands } from "../state/types.js";
import { projectFromValue } from "./load-project.js";
import { resolvePipeline, type PipelineOverrides } from "./resolve-pipeline.js";

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

/** A pipeline from command lines (--tap and --target): a project of one pipeline, resolved like any other. */
export function adHocPipeline(name: string, tap: string, targets: readonly string[], cwd: string, overrides: PipelineOverrides = {}): PipelineDefinition {
  const pipelines = Object.create(null) as Record<string, unknown>;
  pipelines[name] = { tap: { command: tap }, targets: targets.map((command) => ({ command })) };
  return resolvePipeline(projectFromValue({ pipelines }, "the command line", cwd), name, overrides);
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
