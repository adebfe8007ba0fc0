import { spawn, type ChildProcess } from "node:child_process";
import { delimiter, dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { resolveCommand } from "./resolve-command.js";

/**
 * The one place connectors are started, for a run, a mapper, a probe of
 * `--about`, a conformance check or `agora invoke`: a command line
 * (`tap-csv`, `python3 tap.py --verbose`) plus the arguments Agora adds,
 * with the project's own executables found first, and no exit code treated
 * as an exception (the caller decides what an exit means).
 *
 * Built on node:child_process rather than execa: execa's modules cost each
 * runner start 33 ms of CPU (a sixth of `agora run`'s start) for what these
 * few functions do (docs/performance.md).
 */
export interface SpawnOptions<Stdin extends "pipe" | "ignore"> {
  readonly cwd: string;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly stdin: Stdin;
  /** Killed (SIGTERM) after this long; none by default. */
  readonly timeoutMs?: number;
  /**
   * Start it in a process group of its own, so a terminal's Ctrl-C (SIGINT
   * to the whole foreground group) reaches the runner alone, which then
   * stops its connectors in order instead of losing them all at once.
   */
  readonly ownProcessGroup?: boolean;
}

/** How a started command ended. */
export interface Ended {
  /** Undefined when it was killed by a signal or never started. */
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  /** True when its timeout killed it. */
  readonly timedOut: boolean;
  /** Why it could not start at all (`spawn tap-x ENOENT`), if it did not. */
  readonly spawnError: string | undefined;
}

/** A started command with piped, unbuffered output, for callers that stream it. */
export interface RunningCommand<Stdin extends "pipe" | "ignore"> {
  readonly stdin: Stdin extends "pipe" ? Writable : null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Undefined when it could not start. */
  readonly pid: number | undefined;
  /** Sends a signal (SIGTERM by default); nothing once it has ended. */
  kill(signal?: NodeJS.Signals): void;
  /** Settles once it has exited and its output streams have closed; never rejects. */
  readonly ended: Promise<Ended>;
}

/** Children that die with the runner: every one not in a process group of its own. */
const diesWithUs = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const running of diesWithUs) running.kill("SIGTERM");
    });
  }
  diesWithUs.add(child);
}

/**
 * The PATH a command is found on: the node_modules/.bin of its folder and of
 * each folder above it (a project's own `npm install`ed connectors), then
 * this Node's folder, then the PATH it would have had.
 */
function pathWithLocalBins(cwd: string, path: string | undefined): string {
  const folders: string[] = [];
  for (let folder = cwd; ; folder = dirname(folder)) {
    folders.push(join(folder, "node_modules", ".bin"));
    if (dirname(folder) === folder) break;
  }
  folders.push(dirname(process.execPath));
  return [...folders, ...(path === undefined || path === "" ? [] : [path])].join(delimiter);
}

function environment(cwd: string, env: Readonly<Record<string, string>> | undefined): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  merged["PATH"] = pathWithLocalBins(cwd, merged["PATH"]);
  return merged;
}

/** Watches a child to its end: how it exited, whether it ever started, whether the timeout killed it. */
function watch(child: ChildProcess, timeoutMs: number | undefined): Promise<Ended> {
  let spawnError: string | undefined;
  let timedOut = false;
  // Node reports a failure to start (and a failed kill, which changes nothing here) as an "error"; "close" follows.
  child.on("error", (error) => {
    if (child.pid === undefined) spawnError = error.message;
  });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill("SIGTERM");
        }, timeoutMs);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      diesWithUs.delete(child);
      resolve({
        exitCode: spawnError === undefined && code !== null ? code : undefined,
        signal: signal ?? undefined,
        timedOut,
        spawnError: timedOut ? undefined : spawnError,
      });
    });
  });
}

/** Starts a command with piped, unbuffered output, for callers that stream it. */
export function spawnCommand<Stdin extends "pipe" | "ignore">(command: string, args: readonly string[], options: SpawnOptions<Stdin>): RunningCommand<Stdin> {
  const { file, args: all } = resolveCommand(command, args);
  const detached = options.ownProcessGroup === true;
  const child = spawn(file, [...all], {
    cwd: options.cwd,
    env: environment(options.cwd, options.env),
    stdio: [options.stdin, "pipe", "pipe"],
    detached,
  });
  if (!detached) killOnExit(child);
  const ended = watch(child, options.timeoutMs);
  return {
    stdin: child.stdin as RunningCommand<Stdin>["stdin"],
    stdout: child.stdout as Readable,
    stderr: child.stderr as Readable,
    get pid() {
      return child.pid;
    },
    kill(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    ended,
  };
}

/** How a command run to its end went, with its whole output. */
export interface Captured extends Ended {
  readonly stdout: string;
  readonly stderr: string;
}

/** Output kept up to a limit; past it, `onFull` is called once and the rest dropped. */
class BoundedOutput {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private full = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onFull: () => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.full) return;
    const room = this.maxBytes - this.bytes;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.bytes += Math.min(chunk.length, room);
    if (chunk.length >= room) {
      this.full = true;
      this.onFull();
    }
  }

  /** The text kept, without one final line break (as a shell's `$(…)` reads it). */
  text(): string {
    return Buffer.concat(this.chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
}

/**
 * Runs a command to its end (bounded by a timeout), capturing its output;
 * `input` is its stdin. `maxBytes` bounds each of stdout and stderr (512 MiB
 * by default): past it the command is killed (SIGTERM), and the output kept
 * is its first `maxBytes`.
 */
export async function runCommandToEnd(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Readonly<Record<string, string>>; timeoutMs: number; input?: string; maxBytes?: number },
): Promise<Captured> {
  const { input } = options;
  const child = spawnCommand(command, args, {
    cwd: options.cwd,
    env: options.env ?? {},
    stdin: input === undefined ? "ignore" : "pipe",
    timeoutMs: options.timeoutMs,
  });
  const maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  const stop = () => child.kill("SIGTERM");
  const stdout = new BoundedOutput(maxBytes, stop);
  const stderr = new BoundedOutput(maxBytes, stop);
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  if (child.stdin !== null) {
    // A command that exits without reading its input makes the write fail: how it ended says what happened.
    child.stdin.on("error", () => undefined);
    child.stdin.end(input);
  }
  const ended = await child.ended;
  return { ...ended, stdout: stdout.text(), stderr: stderr.text() };
}

/** Runs a command on this terminal (its stdin, stdout and stderr are ours) to its end: `agora invoke`. */
export function runOnTerminal(command: string, args: readonly string[], options: { cwd: string; env: Readonly<Record<string, string>> }): Promise<Ended> {
  const { file, args: all } = resolveCommand(command, args);
  const child = spawn(file, [...all], { cwd: options.cwd, env: environment(options.cwd, options.env), stdio: "inherit" });
  killOnExit(child);
  return watch(child, undefined);
}
