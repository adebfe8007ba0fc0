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

/** CPU seconds (user + system) a live process has used so far, from /proc; undefined once it has exited. */
function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, hence the last ")"): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ, the unit of /proc times: 100 on every architecture Node runs on. */
const CLOCK_TICKS = 100;

export interface ProcessRun {
  readonly seconds: number;
  /** CPU time of the process itself (not its children), as last seen every 20 ms: within 20 ms of the truth. */
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly exitCode: number | null;
  readonly stdoutBytes: number;
  readonly stderr: string;
}

/**
 * Runs `node script args` (or, with `asExecutable`, the script itself, so its
 * shebang's Node flags apply, as for a user) with stdin from a file (or
 * nothing) and `env` added to this process's environment, its stdout drained through a pipe, and measures wall time and
 * peak RSS (polling /proc every 20 ms; VmHWM is a high-water mark, so the
 * last reading holds).
 */
export function measureProcess(
  script: string,
  args: readonly string[],
  stdinFile?: string,
  cwd?: string,
  asExecutable = false,
  env?: Readonly<Record<string, string>>,
): Promise<ProcessRun> {
  const stdin = stdinFile === undefined ? "ignore" : openSync(stdinFile, "r");
  const start = process.hrtime.bigint();
  const [file, argv] = asExecutable ? [script, [...args]] : [process.execPath, [script, ...args]];
  const child = spawn(file, argv, {
    stdio: [stdin, "pipe", "pipe"],
    ...(cwd === undefined ? {} : { cwd }),
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
  if (typeof stdin === "number") closeSync(stdin);
  let peak = 0;
  let cpu = 0;
  let stdoutBytes = 0;
  let stderr = "";
  const timer = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid ?? -1) ?? 0);
    cpu = Math.max(cpu, cpuSeconds(child.pid ?? -1) ?? 0);
  }, 20);
  child.stdout?.on("data", (chunk: Buffer) => (stdoutBytes += chunk.length));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", () => {
      // /proc/<pid> lingers until the parent reaps the child: one last reading.
      peak = Math.max(peak, peakRss(child.pid ?? -1) ?? 0);
      cpu = Math.max(cpu, cpuSeconds(child.pid ?? -1) ?? 0);
    });
    child.on("close", (exitCode) => {
      clearInterval(timer);
      resolve({ seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: cpu, peakRssBytes: peak, exitCode, stdoutBytes, stderr });
    });
  });
}
