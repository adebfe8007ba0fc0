import { spawn } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";

/** Peak resident memory (VmHWM) of a live process in bytes, from /proc; undefined once it has exited. */
function peakRss(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

export interface ProcessRun {
  readonly seconds: number;
  readonly peakRssBytes: number;
  readonly exitCode: number | null;
  readonly stdoutBytes: number;
  readonly stderr: string;
}

/**
 * Runs `node script args` (or, with `asExecutable`, the script itself, so its
 * shebang's Node flags apply, as for a user) with stdin from a file (or
 * nothing), its stdout drained through a pipe, and measures wall time and
 * peak RSS (polling /proc every 20 ms; VmHWM is a high-water mark, so the
 * last reading holds).
 */
export function measureProcess(script: string, args: readonly string[], stdinFile?: string, cwd?: string, asExecutable = false): Promise<ProcessRun> {
  const stdin = stdinFile === undefined ? "ignore" : openSync(stdinFile, "r");
  const start = process.hrtime.bigint();
  const [file, argv] = asExecutable ? [script, [...args]] : [process.execPath, [script, ...args]];
  const child = spawn(file, argv, { stdio: [stdin, "pipe", "pipe"], ...(cwd === undefined ? {} : { cwd }) });
  if (typeof stdin === "number") closeSync(stdin);
  let peak = 0;
  let stdoutBytes = 0;
  let stderr = "";
  const timer = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid ?? -1) ?? 0);
  }, 20);
  child.stdout?.on("data", (chunk: Buffer) => (stdoutBytes += chunk.length));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => {
      // /proc/<pid> lingers until the parent reaps the child: one last reading.
      peak = Math.max(peak, peakRss(child.pid ?? -1) ?? 0);
    });
    child.on("close", (exitCode) => {
      clearInterval(timer);
      resolve({ seconds: Number(process.hrtime.bigint() - start) / 1e9, peakRssBytes: peak, exitCode, stdoutBytes, stderr });
    });
  });
}
