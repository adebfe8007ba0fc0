import type { Logger } from "../../protocol/index.js";
import type { RunEvents } from "./run-events.js";
import { count } from "./run-summary.js";

/** Streams a progress line names (the busiest), before "N more streams". */
const STREAMS_IN_PROGRESS = 5;

/** A run's progress in one line: records so far (of the source's estimate, when it gave one), the rate, per-stream counts. */
export function progressLine(pipeline: string, read: Readonly<Record<string, number>>, total: number, seconds: number, expected?: number): string {
  const rate = seconds > 0 ? Math.round(total / seconds) : 0;
  const of = expected === undefined || expected <= 0 ? "" : ` of ~${count(expected)}`;
  // The busiest few streams: a line stays a line with 2,000 streams.
  const entries = Object.entries(read);
  const shown = entries.length <= STREAMS_IN_PROGRESS ? entries : [...entries].sort(([, left], [, right]) => right - left).slice(0, STREAMS_IN_PROGRESS);
  const more = entries.length - shown.length;
  const streams = [...shown.map(([stream, records]) => `${stream} ${count(records)}`), ...(more > 0 ? [`${count(more)} more streams`] : [])].join(" · ");
  return `${pipeline}: ${count(total)}${of} records (${count(rate)}/s)${streams === "" ? "" : ` · ${streams}`}`;
}

/**
 * What a run has read so far, from its events: the counts, and an Airbyte
 * source's estimates (the latest per stream, or one for the whole sync).
 */
export class ProgressWatch {
  private read: Readonly<Record<string, number>> = {};
  private total = 0;
  private readonly estimates = new Map<string | undefined, number>();
  private readonly started = performance.now();

  constructor(events: RunEvents) {
    events.on("progress", (read, total) => {
      this.read = read;
      this.total = total;
    });
    events.on("estimate", (stream, rows) => this.estimates.set(stream, rows));
  }

  line(pipeline: string): string {
    const expected =
      this.estimates.get(undefined) ?? (this.estimates.size === 0 ? undefined : [...this.estimates.values()].reduce((sum, rows) => sum + rows, 0));
    return progressLine(pipeline, this.read, this.total, (performance.now() - this.started) / 1000, expected);
  }
}

/**
 * Progress where no terminal shows it live (a worker's log, CI): one line
 * every `seconds` while the run lasts, also when nothing moved (a stalled
 * run says so by its unchanged counts). Returns the stop.
 */
export function logProgressEvery(events: RunEvents, seconds: number, pipeline: string, logger: Logger): () => void {
  const watch = new ProgressWatch(events);
  const timer = setInterval(() => logger.info(`progress ${watch.line(pipeline)}`), seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
