import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ConfigError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/**
 * agora-lock.json, beside pipelines.toml and meant to be committed: what
 * `agora install` installed for each connector, so that another host (or a
 * fresh clone) installs the same versions. A pip connector keeps the
 * versions pip resolved (`pip freeze`, used as constraints); an npm one
 * keeps npm's own package-lock.json. An entry applies only while the
 * connector's pip_url or npm setting is the one it was made from.
 */
export interface LockEntry {
  readonly kind: "pip" | "npm";
  readonly spec: string;
  /** pip: `name==version` lines; npm: the package-lock.json text. */
  readonly resolved: string;
}

export interface InstallLock {
  readonly connectors: Record<string, LockEntry>;
}

export const LOCK_FILE = "agora-lock.json";

export function lockFileOf(projectFile: string): string {
  return join(dirname(projectFile), LOCK_FILE);
}

export function readLock(projectFile: string): InstallLock {
  const file = lockFileOf(projectFile);
  if (!existsSync(file)) return { connectors: {} };
  try {
    const value = JSON.parse(readFileSync(file, "utf8")) as InstallLock;
    if (typeof value.connectors === "object" && value.connectors !== null) return { connectors: { ...value.connectors } };
  } catch {
    // Reported below.
  }
  throw new ConfigError(RunnerCodes.PROJECT_INVALID, `${file} is not a lock written by agora install`, {
    where: { file },
    hint: "Restore it from version control, or delete it and run `agora install` to write a new one.",
  });
}

/** Writes the lock whole, or not at all. */
export function writeLock(projectFile: string, lock: InstallLock): void {
  const file = lockFileOf(projectFile);
  const sorted = Object.fromEntries(Object.entries(lock.connectors).sort(([left], [right]) => (left < right ? -1 : 1)));
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ connectors: sorted }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
