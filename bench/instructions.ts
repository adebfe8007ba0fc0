import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/**
 * Instructions a process executes, counted by valgrind's cachegrind
 * (`--cache-sim=no`: the count alone), with Node's `--single-threaded`:
 * V8 then compiles and collects garbage on the main thread at the same
 * points every run. On this shared machine a connector's CPU time moves by
 * up to a tenth between two runs of the same build; its instruction count
 * so measured by under 0.2 % (with V8's helper threads, by up to 3 %), so
 * a change of a few percent can be seen. Instructions are not time (a
 * cache miss costs more than an addition), so the bench shows both.
 */

/** True when valgrind is on the PATH. */
export function canCountInstructions(): boolean {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Runs `node --single-threaded script args` under cachegrind, stdin from a file (or nothing), stdout drained through a pipe; the instructions it executed. */
export function countInstructions(script: string, args: readonly string[], stdinFile?: string, cwd?: string): Promise<number> {
  const stdin = stdinFile === undefined ? "ignore" : openSync(stdinFile, "r");
  const child = spawn(
    "valgrind",
    ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", process.execPath, "--single-threaded", script, ...args],
    {
      stdio: [stdin, "pipe", "pipe"],
      ...(cwd === undefined ? {} : { cwd }),
    },
  );
  if (typeof stdin === "number") closeSync(stdin);
  let stderr = "";
  child.stdout?.resume();
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode) => {
      // The summary line: "==123== I   refs:      3,290,278,835" (the spacing varies between versions).
      const count = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
      if (exitCode !== 0 || count === undefined) reject(new Error(`${script} under valgrind failed (exit ${exitCode}): ${stderr.slice(-500)}`));
      else resolve(Number(count.replaceAll(",", "")));
    });
  });
}

/** Runs `tasks` at most `limit` at a time (instruction counts do not depend on what else runs); their results in order. */
export async function inTurns<T>(tasks: ReadonlyArray<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < tasks.length; index = next++) results[index] = await (tasks[index] as () => Promise<T>)();
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}
