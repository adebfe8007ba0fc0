import { describe, expect, it } from "vitest";
import type { RunResult } from "../../../runner/pipeline/types.js";
import { MemoryStateStore } from "../../../runner/index.js";
import { WorkerMetrics } from "../../../runner/worker/metrics.js";

/** A finished run of pipeline p, read counts per stream as given. */
function runOf(read: Record<string, number>): RunResult {
  const progress = Object.fromEntries(Object.entries(read).map(([stream, count]) => [stream, { read: count, written: count, deadLettered: 0 }]));
  return { pipeline: "p", progress, targets: [], status: "succeeded", seconds: 1 } as unknown as RunResult;
}

/** `stream → value` of one per-stream counter in a scrape. */
function series(text: string, name: string): Record<string, number> {
  return Object.fromEntries(
    [...text.matchAll(new RegExp(`^${name}\\{pipeline="p",stream="([^"]+)"\\} (\\d+)$`, "gm"))].map((match) => [match[1] as string, Number(match[2])]),
  );
}

describe("per-stream metrics", () => {
  it("label at most metrics_max_streams streams of a pipeline, the busiest first, and count the rest as (other)", async () => {
    const metrics = new WorkerMetrics(new MemoryStateStore(), ["p"], 3);
    metrics.recordRun(runOf({ tiny: 1, big: 500, mid: 50, huge: 900, small: 5 }), 0);
    // A later run: known streams keep their labels; a new one joins (other).
    metrics.recordRun(runOf({ tiny: 2, newcomer: 7 }), 0);
    const text = await metrics.registry.metrics();
    expect(series(text, "agora_records_read_total")).toEqual({ huge: 900, big: 500, mid: 50, "(other)": 1 + 5 + 2 + 7 });
  });
});
