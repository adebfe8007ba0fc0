import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { execa } from "execa";
import { afterAll } from "vitest";

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

/** Runs a command to completion, never throwing on a non-zero exit. */
export async function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await execa(command, [...args], {
    reject: false,
    ...(options.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    env: { ...options.env },
    stripFinalNewline: false,
  });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode, signal: result.signal };
}

export function runNode(script: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [script, ...args], options);
}

/** Starts a node script with piped stdio, for streaming and signal tests. */
export function spawnNode(script: string, args: readonly string[], cwd?: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [script, ...args], { cwd: cwd ?? process.cwd(), stdio: "pipe" });
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

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = "agora-test-"): string {
  const path = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(path, { recursive: true, force: true }));
  return path;
}
