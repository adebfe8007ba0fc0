import { Cron } from "croner";
import { ConfigError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/** When a pipeline runs. */
export interface Schedule {
  /** For logs and --list: "every 30s", "cron 0 * * * *", "continuous", "once". */
  readonly description: string;
  /** When the first run is due, the worker having started at `now`. */
  first(now: Date): Date;
  /** When the next run is due after a run that ended at `end`; undefined when there is none (once). */
  next(end: Date): Date | undefined;
  /** True for `once`: one run per worker start, not a series. */
  readonly once?: boolean;
}

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** "90", "30s", "5m", "2h", "1d", "250ms" → seconds. */
export function parseDuration(value: string | number, where: string): number {
  if (typeof value === "number" && value > 0) return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(String(value));
  const seconds = match === null ? Number.NaN : Number(match[1]) * (UNITS[match[2] ?? "s"] ?? 1);
  if (!(seconds > 0)) {
    throw new ConfigError(RunnerCodes.SCHEDULE_INVALID, `${where}: "${String(value)}" is not a duration`, {
      hint: 'Use seconds or a number with a unit: "30s", "5m", "2h", "1d".',
    });
  }
  return seconds;
}

export interface ScheduleSpec {
  readonly every?: string | number;
  readonly cron?: string;
  readonly continuous?: boolean;
  readonly once?: boolean;
  readonly timezone?: string;
}

/** The schedule of a pipeline from its `[pipelines.NAME.schedule]` table. Exactly one kind. */
export function parseSchedule(spec: ScheduleSpec, where: string): Schedule {
  const kinds = [spec.every !== undefined, spec.cron !== undefined, spec.continuous === true, spec.once === true].filter(Boolean).length;
  if (kinds !== 1) {
    throw new ConfigError(RunnerCodes.SCHEDULE_INVALID, `${where}: give exactly one of every, cron, continuous = true or once = true`, {
      hint: 'For example: schedule = { every = "1h" }',
    });
  }
  if (spec.every !== undefined) {
    const seconds = parseDuration(spec.every, `${where}.every`);
    return { description: `every ${String(spec.every)}`, first: (now) => now, next: (end) => new Date(end.getTime() + seconds * 1000) };
  }
  if (spec.cron !== undefined) {
    let cron: Cron;
    try {
      cron = new Cron(spec.cron, { paused: true, ...(spec.timezone === undefined ? {} : { timezone: spec.timezone }) });
    } catch (error) {
      throw new ConfigError(RunnerCodes.SCHEDULE_INVALID, `${where}.cron: "${spec.cron}" is not a cron expression (${(error as Error).message})`, {
        hint: 'Five or six fields, e.g. "0 */6 * * *".',
        cause: error,
      });
    }
    const after = (time: Date): Date => cron.nextRun(time) ?? new Date(8.64e15);
    return { description: `cron ${spec.cron}`, first: after, next: after };
  }
  if (spec.continuous === true) return { description: "continuous", first: (now) => now, next: (end) => end };
  return { description: "once", first: (now) => now, next: () => undefined, once: true };
}

/** The wait after the n-th consecutive failure: base × 2^(n-1), capped, with "equal jitter" (half fixed, half random). */
export function backoffSeconds(failures: number, baseSeconds: number, capSeconds: number, random: () => number = Math.random): number {
  const full = Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, failures - 1));
  return full / 2 + random() * (full / 2);
}
