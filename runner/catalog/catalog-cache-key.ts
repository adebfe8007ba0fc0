import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { canonicalJson } from "../canonical-json.js";
import type { ConnectorDefinition } from "../definition.js";
import { splitCommand } from "../process/split-command.js";

/** The contents of files the tap's own args name with --config (so editing one discovers again). */
function configFilesInArgs(tap: ConnectorDefinition): string[] {
  const contents: string[] = [];
  const words = [...splitCommand(tap.command), ...tap.args];
  words.forEach((arg, index) => {
    if (arg !== "--config") return;
    const file = words[index + 1];
    if (file === undefined) return;
    try {
      contents.push(readFileSync(resolve(tap.cwd, file), "utf8"));
    } catch {
      contents.push(`unreadable:${file}`);
    }
  });
  return contents;
}

/**
 * The key a discovered catalog is cached under: a SHA-256 of everything that
 * decides what `--discover` prints (the tap's command, args, config, env,
 * working directory and version). A hash, so no config value (a password)
 * is stored or shown as part of it.
 */
export function catalogCacheKey(tap: ConnectorDefinition, version: string | undefined): string {
  const decides = {
    command: tap.command,
    args: tap.args,
    argFiles: configFilesInArgs(tap),
    config: tap.config ?? null,
    env: tap.env,
    cwd: tap.cwd,
    version: version ?? null,
  };
  return createHash("sha256").update(canonicalJson(decides)).digest("hex");
}
