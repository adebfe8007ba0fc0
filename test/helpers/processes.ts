import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { execa } from "execa";
import { afterAll, onTestFinished } from "vitest";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The built entry point of one of our connectors. */
export function connectorBin(name: string): string {
  return join(ROOT, "dist", "connectors", name, "bin.js");
}

/** The built JS of a test fixture connector (test/fixtures/NAME.ts). */
export function fixtureBin(name: string): string {
  return join(ROOT, "dist", "test", "fixtures", `${name}.js`);
}

export function examplePath(...parts: string[]): string {
  return join(ROOT, "examples", ...parts);
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
}

export interface RunOptions {
  readonly input?: string;
  readonly cwd?: string;
  readonly env?: Record<string, string>;
}

const BUG_PHRASE = "looks like a bug";
const bugLines: string[] = [];

/** Notes the lines of `command`'s output that say "looks like a bug": the test fails (test/setup/bug-lines.ts). */
export function noteBugLines(command: string, output: string): void {
  if (!output.includes(BUG_PHRASE)) return;
  bugLines.push(
    `${command}:`,
    ...output
      .split("\n")
      .filter((line) => line.includes(BUG_PHRASE))
      .map((line) => `  ${line}`),
  );
}

/** The lines noted since the last call. */
export function takeBugLines(): string[] {
  return bugLines.splice(0);
}

/** Follows a spawned process's stderr and stdout for noteBugLines. */
export function watchForBugLines(child: ChildProcessWithoutNullStreams, command: string): ChildProcessWithoutNullStreams {
  let tail = "";
  const look = (chunk: Buffer): void => {
    // The end of the previous chunk too, so a phrase split across chunks is seen.
    const text = tail + chunk.toString();
    noteBugLines(command, text);
    tail = text.includes(BUG_PHRASE) ? "" : text.slice(-BUG_PHRASE.length);
  };
  child.stderr.on("data", look);
  child.stdout.on("data", look);
  return child;
}

/** Runs a command to completion, never throwing on a non-zero exit. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(command, [...args], {
    reject: false,
    ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...options.env },
    stripFinalNewline: false,
  });
  noteBugLines(`${command} ${args.join(" ")}`, `${String(result.stderr)}\n${String(result.stdout)}`);
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode, signal: result.signal };
}

export function runNode(script: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [script, ...args], options);
}

/** Starts a node script with piped stdio, for streaming and signal tests. */
export function spawnNode(script: string, args: readonly string[], cwd?: string): ChildProcessWithoutNullStreams {
  return watchForBugLines(spawn(process.execPath, [script, ...args], { cwd: cwd ?? process.cwd(), stdio: "pipe" }), `${script} ${args.join(" ")}`);
}

/** Resolves with the exit code (or signal name) when a spawned process ends. */
export function exited(child: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once("close", (code, signal) => resolve({ code, signal })));
}

/** Every non-blank line of output, parsed as JSON. Fails the test if any line is not JSON. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A fresh temporary directory, removed after the test that made it (or,
 * made while the file is collected, after the file or its describe block).
 * Not in a beforeAll: no hook can be registered there any more, and the
 * directory would be left behind (as thousands were, made inside tests
 * when this registered afterAll for them too).
 */
export function tempDir(prefix = "agora-test-"): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(path, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    // Not inside a test.
    afterAll(remove);
  }
  return path;
}
