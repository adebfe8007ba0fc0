import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../../protocol/index.js";
import type { SavedCheckpoint } from "../state/types.js";
import type { ConnectorDefinition } from "./types.js";
import { runCommandToEnd } from "../process/spawn-command.js";

/** The forms of `--about`, in the order to try them: Meltano SDK connectors print text without `--format json`. */
export const ABOUT_FORMS: ReadonlyArray<readonly string[]> = [["--about", "--format", "json"], ["--about"]];

/**
 * The tap's capabilities from `--about --format json` (Meltano SDK taps
 * print text without the flag) or `--about`, or undefined when it has no
 * usable `--about` (many plain Singer taps): such a tap is assumed to accept
 * `--state`, as the Singer spec has every tap do.
 */
export async function tapCapabilities(command: string, args: readonly string[], cwd: string, env: Readonly<Record<string, string>>): Promise<readonly string[] | undefined> {
  for (const flags of ABOUT_FORMS) {
    const result = await runCommandToEnd(command, [...args, ...flags], { cwd, env, timeoutMs: 30_000 });
    if (result.exitCode !== 0) continue;
    try {
      const about = JSON.parse(String(result.stdout)) as { capabilities?: unknown };
      if (Array.isArray(about.capabilities)) return about.capabilities.filter((item): item is string => typeof item === "string");
    } catch {
      // Text, or a sync it ran instead: try the next form.
    }
  }
  return undefined;
}

/**
 * The arguments that hand the saved checkpoint to the tap (`--state FILE`,
 * written into `workDir`), or none when there is no checkpoint or the tap
 * cannot resume.
 */
export async function stateArgs(tap: ConnectorDefinition, tapArgs: readonly string[], saved: SavedCheckpoint | undefined, workDir: string, pipeline: string, logger: Logger): Promise<string[]> {
  if (saved === undefined) return [];
  const capabilities = await tapCapabilities(tap.command, tapArgs, tap.cwd, tap.env);
  if (capabilities !== undefined && !capabilities.includes("state")) {
    logger.info(`pipeline ${pipeline}: ${tap.name} cannot resume (no "state" capability); running it from the start`);
    return [];
  }
  const stateFile = join(workDir, "state.json");
  writeFileSync(stateFile, JSON.stringify(saved.state));
  logger.info(`pipeline ${pipeline}: resuming from the checkpoint saved ${saved.updatedAt}`);
  return ["--state", stateFile];
}
