import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { ROOT, run, watchForBugLines, type RunResult } from "./processes.js";

export const AGORA = join(ROOT, "dist", "runner", "cli", "bin.js");
export const PY_TAP = join(ROOT, "test", "fixtures", "python", "tap_items.py");
export const PY_TARGET = join(ROOT, "test", "fixtures", "python", "target_items.py");
/** The classic Singer target (standard library only, written to singer-python's habits). */
export const CLASSIC_TARGET_PY = join(ROOT, "test", "fixtures", "singer", "classic_target.py");

/** Runs `agora ARGS` in a folder to completion. */
export function agora(cwd: string, args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return run(process.execPath, [AGORA, ...args], { cwd, env });
}

/** Starts `agora ARGS` in a folder and hands back the live process. */
export function startAgora(cwd: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return watchForBugLines(spawn(process.execPath, [AGORA, ...args], { cwd, stdio: "pipe" }), `agora ${args.join(" ")}`);
}

/** Starts `agora ARGS` as the leader of a process group of its own, as a terminal runs a foreground job. */
export function startAgoraInGroup(cwd: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return watchForBugLines(spawn(process.execPath, [AGORA, ...args], { cwd, stdio: "pipe", detached: true }), `agora ${args.join(" ")}`);
}

/** A project folder with this pipelines.toml. */
export function projectIn(dir: string, toml: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pipelines.toml"), toml);
  return dir;
}

/** Writes the tap fixture's control file: one fault for its next run. */
export function injectFault(dir: string, fault: Record<string, number>): void {
  writeFileSync(join(dir, "fault.json"), JSON.stringify(fault));
}

/** The ids stored by the Python target fixture (or target-sqlite) in a table, sorted. */
export function storedIds(database: string, table = "items"): number[] {
  if (!existsSync(database)) return [];
  const db = new BetterSqlite3(database, { readonly: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(table);
    if (exists === undefined) return [];
    return (db.prepare(`SELECT id FROM "${table}" ORDER BY id`).all() as Array<{ id: number }>).map((row) => row.id);
  } finally {
    db.close();
  }
}

/** The pipeline's saved checkpoint, straight from the state store. */
export function savedCheckpoint(dir: string, pipeline: string): unknown {
  const path = join(dir, ".agora", "state.db");
  if (!existsSync(path)) return undefined;
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(path, { readonly: true });
    const row = db.prepare("SELECT state FROM checkpoints WHERE pipeline = ?").get(pipeline) as { state: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.state) as unknown);
  } catch {
    // The runner is still creating the store.
    return undefined;
  } finally {
    db?.close();
  }
}

/** 1..n */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, index) => index + 1);
}

/** PIDs of processes whose command line contains `needle` and whose parent is `parent`. */
export function childPids(parent: number, needle: string): number[] {
  return processList()
    .filter((entry) => entry.ppid === parent && entry.cmd.includes(needle))
    .map((entry) => entry.pid);
}

function processList(): Array<{ pid: number; ppid: number; cmd: string }> {
  const entries: Array<{ pid: number; ppid: number; cmd: string }> = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const cmd = readFileSync(`/proc/${name}/cmdline`, "utf8").replace(/\0/g, " ");
      entries.push({ pid: Number(name), ppid, cmd });
    } catch {
      // The process ended while we looked.
    }
  }
  return entries;
}

/** Waits until `check` is true, polling; fails after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 20_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
