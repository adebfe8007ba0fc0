import { count } from "../pipeline/run-summary.js";

/** A live progress line for a terminal. */
export function progressLine(pipeline: string, read: Readonly<Record<string, number>>, total: number, seconds: number, expected?: number): string {
  const rate = seconds > 0 ? Math.round(total / seconds) : 0;
  const of = expected === undefined || expected <= 0 ? "" : ` of ~${count(expected)}`;
  const streams = Object.entries(read)
    .map(([stream, records]) => `${stream} ${count(records)}`)
    .join(" · ");
  return `${pipeline}: ${count(total)}${of} records (${count(rate)}/s)${streams === "" ? "" : ` · ${streams}`}`;
}
