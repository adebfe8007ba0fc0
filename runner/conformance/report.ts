import type { CheckResult } from "./check-result.js";

/** The human report: one line per check, then "N passed, N failed, N skipped". */
export function renderReport(kind: string, command: string, results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((result) => result.check.length));
  const lines = results.map((result) => `${result.status.toUpperCase().padEnd(4)}  ${result.check.padEnd(width)}  ${result.reason}`);
  const count = (status: CheckResult["status"]): number => results.filter((result) => result.status === status).length;
  return [`agora test ${kind} ${command}`, ...lines, `${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped`].join("\n");
}
