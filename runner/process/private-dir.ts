import { chmodSync, mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";

/** A folder of privateDir's: its kind, then the pid of the process that made it. */
const PROCESS_DIR = /^[a-z]+-(\d+)-/;

/** Whether process `pid` is alive (on this machine: the runs folder is a project's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A private folder (0700) in the project's runs folder for files a command
 * other than a run hands its processes (a mapper's config, a replay's or a
 * discovery's connector configs, with their secrets): `KIND-PID-XXXXXX`.
 * Its maker removes it; one left by a process killed with SIGKILL is
 * removed the next time a run starts (prepareRunDir), its pid being gone.
 */
export function privateDir(runsDir: string, kind: string): string {
  ensurePrivateFolder(runsDir);
  return mkdtempSync(join(runsDir, `${kind}-${process.pid}-`));
}

/** Makes `folder` if need be, and makes it its owner's only (0700), whoever made it. */
export function ensurePrivateFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
}

/** For a folder name of privateDir's, whether the process that made it is alive; undefined for any other name. */
export function privateDirMaker(name: string): "alive" | "gone" | undefined {
  const pid = PROCESS_DIR.exec(name)?.[1];
  if (pid === undefined) return undefined;
  return isAlive(Number(pid)) ? "alive" : "gone";
}
