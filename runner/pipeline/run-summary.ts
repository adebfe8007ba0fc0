import type { RunResult } from "./types.js";

export function count(value: number): string {
  return value.toLocaleString("en");
}

/** The one summary line of a run. */
export function summaryLine(result: RunResult): string {
  const streams = Object.entries(result.progress)
    .map(([stream, progress]) => `${stream} ${count(progress.written)}`)
    .join(", ");
  const rate = result.seconds > 0 ? ` (${count(Math.round(result.recordsRead / result.seconds))}/s)` : "";
  const rejected = [result.deadLettered > 0 ? `${count(result.deadLettered)} to the DLQ` : "", result.skipped > 0 ? `${count(result.skipped)} skipped` : ""].filter((part) => part !== "").join(", ");
  const base = `pipeline ${result.pipeline} ${result.status} in ${result.seconds.toFixed(1)} s: read ${count(result.recordsRead)}${rate}, wrote ${count(result.recordsWritten)}${streams === "" ? "" : ` (${streams})`}${rejected === "" ? "" : `; ${rejected}`}; checkpoint ${result.checkpointAdvanced ? "saved" : "unchanged"}; run ${result.runId}`;
  return result.error === undefined ? base : `${base}\n${result.error}`;
}
