import { readFileSync } from "node:fs";

/** A process's state letter and start time (clock ticks since boot), from /proc; undefined where there is no /proc or no such process. */
export function procStat(pid: number): { state: string; startTicks: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const state = rest[0];
  const startTicks = rest[19];
  return state === undefined || startTicks === undefined ? undefined : { state, startTicks };
}

/**
 * Whether the process `pid` that started at `startTicks` still runs: not
 * when no process has that pid, when it is a zombie (killed, not yet reaped
 * by an init that does not reap), or when the pid now belongs to a process
 * that started at another time (reused). Without /proc, only the pid is
 * checked.
 */
export function processIsAlive(pid: number, startTicks: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
  const stat = procStat(pid);
  if (stat === undefined) return true;
  if (stat.state === "Z" || stat.state === "X") return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}
