import type { Captured } from "../process/spawn-command.js";

/** The connector's own last stderr line, or a note that it said nothing. */
export function saidOnStderr(stderr: string): string {
  return stderr.trim().split("\n").at(-1) || "(nothing on stderr)";
}

/** How a mode ended, for a report line: `exit code 2: tap.py: error: unrecognized arguments: --about`. */
export function howItEnded(captured: Captured): string {
  if (captured.timedOut) return "it did not finish within the timeout";
  if (captured.spawnError !== undefined) return `it could not start (${captured.spawnError}): is the command right, installed and on PATH?`;
  const ending = captured.exitCode === undefined ? `killed by ${String(captured.signal)}` : `exit code ${captured.exitCode}`;
  return `${ending}: ${saidOnStderr(captured.stderr)}`;
}

/**
 * True if a mode's stdout is Singer messages: the connector ignored the
 * flag it does not know and ran a sync (plain Singer taps in bash or Python
 * often accept any argument).
 */
export function ranASync(stdout: string): boolean {
  const first = stdout.trimStart().split("\n", 1)[0] ?? "";
  try {
    const parsed = JSON.parse(first) as unknown;
    const type = typeof parsed === "object" && parsed !== null ? (parsed as { type?: unknown }).type : undefined;
    return typeof type === "string" && ["SCHEMA", "RECORD", "STATE"].includes(type.toUpperCase());
  } catch {
    return false;
  }
}
