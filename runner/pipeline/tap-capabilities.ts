import { execa } from "execa";
import { resolveCommand } from "../process/resolve-command.js";

/**
 * The tap's capabilities from `--about`, or undefined when it has no usable
 * `--about` (many plain Singer taps): such a tap is assumed to accept
 * `--state`, as the Singer spec has every tap do.
 */
export async function tapCapabilities(command: string, args: readonly string[], cwd: string, env: Readonly<Record<string, string>>): Promise<readonly string[] | undefined> {
  const { file, args: resolvedArgs } = resolveCommand(command, [...args, "--about"]);
  const result = await execa(file, [...resolvedArgs], { reject: false, cwd, env: { ...env }, preferLocal: true, localDir: cwd, timeout: 30_000, stdin: "ignore" });
  if (result.exitCode !== 0) return undefined;
  try {
    const about = JSON.parse(String(result.stdout)) as { capabilities?: unknown };
    return Array.isArray(about.capabilities) ? about.capabilities.filter((item): item is string => typeof item === "string") : undefined;
  } catch {
    return undefined;
  }
}
