import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { RunStore } from "../state/interfaces.js";
import { ensurePrivateFolder, privateDirMaker } from "../process/private-dir.js";

/** A run id, as newRunId makes them. */
const RUN_ID = /^\d{14}-[0-9a-f]+$/;

/**
 * A run's private folder (0700) for the files it hands its connectors
 * (configs with their secrets, the state, the catalog), in the project's
 * runs folder (also 0700). A run removes its own folder when it ends; the
 * folders of runs that ended without doing so (a runner killed with
 * SIGKILL) are removed here, the next time a run starts: every folder
 * whose run is not "running" in the store, and every privateDir folder
 * whose process is gone.
 */
export async function prepareRunDir(runsDir: string, runId: string, runs: RunStore): Promise<string> {
  ensurePrivateFolder(runsDir);
  for (const entry of readdirSync(runsDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === runId) continue;
    // A privateDir's folder goes once its process is gone.
    const maker = privateDirMaker(entry.name);
    if (maker === "alive") continue;
    if (maker === undefined && (!RUN_ID.test(entry.name) || (await runs.getRun(entry.name))?.status === "running")) continue;
    rmSync(join(runsDir, entry.name), { recursive: true, force: true });
  }
  const dir = join(runsDir, runId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}
