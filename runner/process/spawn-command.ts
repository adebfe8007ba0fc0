import { execa } from "execa";
import { resolveCommand } from "./resolve-command.js";

/**
 * The one place connectors are started, for a run, a mapper, a probe of
 * `--about` or a conformance check: a command line (`tap-csv`,
 * `python3 tap.py --verbose`) plus the arguments Agora adds, with the
 * project's own executables found first, and no exit code treated as an
 * exception (the caller decides what an exit means).
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

/** Starts a command with piped, unbuffered output, for callers that stream it. */
export function spawnCommand<Stdin extends "pipe" | "ignore">(command: string, args: readonly string[], options: SpawnOptions<Stdin>) {
  const { file, args: all } = resolveCommand(command, args);
  return execa(file, [...all], {
    reject: false,
    buffer: false,
    cwd: options.cwd,
    env: { ...options.env },
    extendEnv: true,
    preferLocal: true,
    localDir: options.cwd,
    stdin: options.stdin,
    stdout: "pipe",
    stderr: "pipe",
    cleanup: true,
    // The caller decides when to stop a connector; no implicit kills beyond its timeout.
    forceKillAfterDelay: false,
    detached: options.ownProcessGroup === true,
    ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
  });
}

/** How a command run to its end went, with its whole output. */
export interface Captured {
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** Why it could not start at all (not found, not executable), if it did not. */
  readonly spawnError: string | undefined;
}

/** Why a finished execa process never started, if it did not: no exit code and no signal. */
export function spawnErrorOf(result: {
  readonly failed: boolean;
  readonly exitCode?: number | undefined;
  readonly signal?: string | undefined;
  readonly shortMessage?: string | undefined;
}): string | undefined {
  if (!result.failed || result.exitCode !== undefined || result.signal !== undefined) return undefined;
  // execa's message repeats the command line first; the system's reason (`spawn tap-x ENOENT`) is its last line: one line for the user.
  return result.shortMessage?.trim().split("\n").at(-1) ?? "it could not be started";
}

/**
 * Runs a command to its end (bounded by a timeout), capturing its output;
 * `input` is its stdin. `maxBytes` bounds each of stdout and stderr (512 MiB
 * by default): past it the command is killed, as on a timeout.
 */
export async function runCommandToEnd(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Readonly<Record<string, string>>; timeoutMs: number; input?: string; maxBytes?: number },
): Promise<Captured> {
  const { file, args: all } = resolveCommand(command, args);
  const result = await execa(file, [...all], {
    reject: false,
    cwd: options.cwd,
    env: { ...options.env },
    extendEnv: true,
    preferLocal: true,
    localDir: options.cwd,
    timeout: options.timeoutMs,
    maxBuffer: options.maxBytes ?? 512 * 1024 * 1024,
    ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
  });
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout),
    stderr: String(result.stderr),
    timedOut: result.timedOut,
    spawnError: result.timedOut ? undefined : spawnErrorOf(result),
  };
}
