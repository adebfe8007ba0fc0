/** Timing helpers: best of N runs, reported as rate per second. */

export interface Measurement {
  readonly name: string;
  readonly seconds: number;
  readonly items: number;
  readonly bytes: number;
}

export async function bestOf(name: string, runs: number, items: number, bytes: number, body: () => unknown): Promise<Measurement> {
  const [measurement] = await bestOfEach([[name, body]], runs, items, bytes);
  return measurement as Measurement;
}

/**
 * Several contenders measured in rounds, each once per round, best of
 * `runs` each: a burst of load on a shared machine then slows one round
 * of every contender, not every run of one.
 */
export async function bestOfEach(
  contenders: ReadonlyArray<readonly [string, () => unknown]>,
  runs: number,
  items: number,
  bytes: number,
): Promise<Measurement[]> {
  const best = contenders.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < runs; round += 1) {
    for (const [index, [, body]] of contenders.entries()) {
      const start = process.hrtime.bigint();
      await body();
      best[index] = Math.min(best[index] as number, Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  return contenders.map(([name], index) => ({ name, seconds: best[index] as number, items, bytes }));
}

export function perSecond(measurement: Measurement): { items: number; megabytes: number } {
  return { items: measurement.items / measurement.seconds, megabytes: measurement.bytes / 1e6 / measurement.seconds };
}

export function formatRate(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`;
  return value.toFixed(0);
}

/** A markdown table of measurements, with each one's ratio to a reference. */
export function rateTable(rows: readonly Measurement[], reference: Measurement, unit: string, referenceName = "ceiling"): string {
  const referenceRate = perSecond(reference).items;
  const lines = [`| what | ${unit}/s | MB/s | × ${referenceName} |`, "| --- | ---: | ---: | ---: |"];
  for (const row of rows) {
    const rate = perSecond(row);
    lines.push(`| ${row.name} | ${formatRate(rate.items)} | ${rate.megabytes.toFixed(1)} | ${(rate.items / referenceRate).toFixed(2)} |`);
  }
  return lines.join("\n");
}

/** The middle value (the upper one of an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}
