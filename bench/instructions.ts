import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { machine } from "node:os";

/**
 * Instructions a process executes, counted by valgrind's cachegrind
 * (`--cache-sim=no`: the count alone), made as repeatable as Node allows:
 * `--single-threaded` (V8 compiles and collects garbage on the main
 * thread), fixed hash and random seeds, and no address randomization
 * (`setarch -R`, where it exists). On this shared machine a connector's
 * CPU time moves by up to a fifth between two runs of the same build; its
 * instruction count so measured by about 1 % (target-sqlite's, whose
 * SQLite work varies, by up to 5 %), so a change of a few percent can be
 * seen.
 * Instructions are not time (a cache miss costs more than an addition),
 * so the bench shows both.
 */

/** Node's flags for a repeatable count (see above). */
const NODE_FLAGS = ["--single-threaded", "--hash-seed=42", "--random-seed=42"];

/** True when `command --version` runs. */
function installed(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** True when valgrind is on the PATH. */
export function canCountInstructions(): boolean {
  return installed("valgrind");
}

/** Whether setarch is installed, asked once for every count. */
let setarch: boolean | undefined;

/** The command line that counts `node script args`: under `setarch -R` (no address randomization) when it is installed. */
function countingCommand(script: string, args: readonly string[]): [string, string[]] {
  const valgrind = ["--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", process.execPath, ...NODE_FLAGS, script, ...args];
  setarch ??= installed("setarch");
  return setarch ? ["setarch", [machine(), "-R", "valgrind", ...valgrind]] : ["valgrind", valgrind];
}

/** Runs `node script args` under cachegrind (as above), stdin from a file (or nothing), stdout drained through a pipe; the instructions it executed. */
export function countInstructions(script: string, args: readonly string[], stdinFile?: string, cwd?: string): Promise<number> {
  const stdin = stdinFile === undefined ? "ignore" : openSync(stdinFile, "r");
  const [command, argv] = countingCommand(script, args);
  const child = spawn(command, argv, { stdio: [stdin, "pipe", "pipe"], ...(cwd === undefined ? {} : { cwd }) });
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
