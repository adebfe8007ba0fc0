import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./package-root.js";
import { splitCommand } from "./split-command.js";

let bundled: Map<string, string> | undefined;

/** Our own connectors by name → their built entry point, from package.json's `bin`. */
function bundledConnectors(): Map<string, string> {
  if (bundled === undefined) {
    const root = packageRoot();
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { bin?: Record<string, string> };
    bundled = new Map(Object.entries(manifest.bin ?? {}).map(([name, path]) => [name, join(root, path)]));
  }
  return bundled;
}

/** True if `command` runs one of our own connectors (which all answer --about). */
export function isBundledConnector(command: string): boolean {
  const [file] = splitCommand(command);
  return file !== undefined && !file.includes("/") && bundledConnectors().has(file);
}

export interface ResolvedCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/**
 * Turns a command line such as `tap-csv --log-level debug` or
 * `python3 "my tap.py"` into an executable and arguments. Our own connectors
 * resolve by name even when they are not on PATH, and run with this Node.
 * The runner spawns them exactly as it spawns anyone else's: it never loads
 * a connector's code.
 */
export function resolveCommand(command: string, extraArgs: readonly string[] = []): ResolvedCommand {
  const [file, ...args] = splitCommand(command);
  if (file === undefined) throw new Error("empty command");
  const ours = bundledConnectors().get(file);
  if (ours !== undefined && !file.includes("/")) return { file: process.execPath, args: [ours, ...args, ...extraArgs] };
  return { file, args: [...args, ...extraArgs] };
}
