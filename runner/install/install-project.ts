import { UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { Project } from "../project/project-types.js";
import { requireConnector } from "../project/require-connector.js";
import { installConnector } from "./install-connector.js";
import { installedEntry } from "./install-spec.js";
import { readLock, writeLock } from "./install-lock.js";
import { installSpecOf, type InstallSpec } from "./install-spec.js";

/** What `agora install` did for one connector. */
export interface InstallOutcome {
  readonly connector: string;
  readonly spec: InstallSpec;
  readonly action: "up to date" | "installed" | "installed from the lock";
}

/**
 * Installs the project's connectors that say how (pip_url, npm), or the
 * ones named: each that is missing, was installed from another spec, or
 * differs from the lock is installed afresh (from the lock when it has an
 * entry for the same spec), and the lock is written with what was
 * installed. `force` installs even what is up to date.
 */
export async function installProject(
  project: Project,
  names: readonly string[],
  force: boolean,
  said: (outcome: InstallOutcome) => void,
): Promise<InstallOutcome[]> {
  const declared = Object.entries(project.connectors).flatMap(([name, entry]) => {
    const spec = installSpecOf(entry);
    return spec === undefined ? [] : [[name, spec] as const];
  });
  for (const name of names) {
    requireConnector(project, name);
    if (!declared.some(([declaredName]) => declaredName === name))
      throw new UsageError(RunnerCodes.USAGE, `connector "${name}" has neither pip_url nor npm: there is nothing to install`, {
        where: { file: project.file },
        hint: "It runs from PATH as it is; add pip_url or npm to its table to have agora install it.",
      });
  }
  const chosen = names.length === 0 ? declared : declared.filter(([name]) => names.includes(name));
  const lock = readLock(project.file);
  const outcomes: InstallOutcome[] = [];
  try {
    for (const [name, spec] of chosen) {
      const installed = installedEntry(project.dir, name);
      const locked = lock.connectors[name];
      const current = installed !== undefined && installed.kind === spec.kind && installed.spec === spec.spec;
      const matchesLock = locked === undefined || locked.kind !== spec.kind || locked.spec !== spec.spec || locked.resolved === installed?.resolved;
      if (!force && current && matchesLock && installed !== undefined) {
        lock.connectors[name] = installed;
        outcomes.push({ connector: name, spec, action: "up to date" });
      } else {
        const done = await installConnector(project.dir, name, spec, locked);
        lock.connectors[name] = done.entry;
        outcomes.push({ connector: name, spec, action: done.fromLock ? "installed from the lock" : "installed" });
      }
      said(outcomes.at(-1) as InstallOutcome);
    }
  } finally {
    // Connectors the project no longer installs leave the lock when all are installed.
    if (names.length === 0)
      for (const name of Object.keys(lock.connectors)) if (!declared.some(([declaredName]) => declaredName === name)) delete lock.connectors[name];
    writeLock(project.file, lock);
  }
  return outcomes;
}
