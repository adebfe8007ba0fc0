import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RunResult } from "../pipeline/types.js";
import type { CheckpointStore } from "../state/interfaces.js";

/** The stream label of every stream past a pipeline's metrics_max_streams. */
export const OTHER_STREAMS = "(other)";

/**
 * The worker's Prometheus metrics, on a registry of its own. Per-stream
 * record counts are added as each run ends; the checkpoint age is read from
 * the state store at scrape time.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly read: Counter<"pipeline" | "stream">;
  private readonly written: Counter<"pipeline" | "stream">;
  private readonly deadLettered: Counter<"pipeline" | "stream">;
  private readonly durations: Histogram<"pipeline" | "status">;
  private readonly failures: Counter<"pipeline">;
  private readonly targetRecords: Counter<"pipeline" | "target" | "outcome">;
  private readonly batches: Counter<"pipeline" | "target" | "plane">;
  private readonly batchRows: Counter<"pipeline" | "target" | "plane">;
  private readonly lastSuccess: Gauge<"pipeline">;
  private readonly consecutiveErrors: Gauge<"pipeline">;

  /** The stream labels each pipeline's per-stream counters have: at most maxStreams, the rest counted as "other". */
  private readonly labelled = new Map<string, Set<string>>();

  /** `maxStreams`: stream labels a pipeline gets ([worker] metrics_max_streams), so 100,000 streams cannot make a scrape unbounded. */
  constructor(
    store: CheckpointStore,
    pipelines: readonly string[],
    private readonly maxStreams = 100,
  ) {
    const registers = [this.registry];
    // prom-client names them process_* and nodejs_*: with this prefix, agora_process_cpu_user_seconds_total and so on.
    collectDefaultMetrics({ register: this.registry, prefix: "agora_" });
    this.read = new Counter({ name: "agora_records_read_total", help: "Records read from the tap.", labelNames: ["pipeline", "stream"], registers });
    this.written = new Counter({
      name: "agora_records_written_total",
      help: "Records every target made durable.",
      labelNames: ["pipeline", "stream"],
      registers,
    });
    this.deadLettered = new Counter({
      name: "agora_records_dead_lettered_total",
      help: "Records sent to the dead-letter queue.",
      labelNames: ["pipeline", "stream"],
      registers,
    });
    this.durations = new Histogram({
      name: "agora_run_duration_seconds",
      help: "Run durations.",
      labelNames: ["pipeline", "status"],
      buckets: [1, 5, 15, 60, 300, 900, 3600, 14400],
      registers,
    });
    this.batches = new Counter({
      name: "agora_batches_total",
      help: "BATCH messages a target received: as batches (plane native) or as RECORDs (plane downgraded).",
      labelNames: ["pipeline", "target", "plane"],
      registers,
    });
    this.batchRows = new Counter({
      name: "agora_batch_rows_total",
      help: "Rows of BATCH messages a target received, by plane (native or downgraded).",
      labelNames: ["pipeline", "target", "plane"],
      registers,
    });
    this.targetRecords = new Counter({
      name: "agora_target_records_total",
      help: "Records each target was sent, by outcome: written (confirmed durable), rejected (its dead letters), unconfirmed (sent after the last STATE it confirmed).",
      labelNames: ["pipeline", "target", "outcome"],
      registers,
    });
    this.failures = new Counter({ name: "agora_run_failures_total", help: "Runs that failed.", labelNames: ["pipeline"], registers });
    this.lastSuccess = new Gauge({
      name: "agora_last_success_timestamp_seconds",
      help: "When the pipeline last succeeded (Unix time).",
      labelNames: ["pipeline"],
      registers,
    });
    this.consecutiveErrors = new Gauge({ name: "agora_consecutive_errors", help: "Failed runs in a row.", labelNames: ["pipeline"], registers });
    new Gauge({
      name: "agora_checkpoint_age_seconds",
      help: "Seconds since the pipeline's checkpoint was last saved.",
      labelNames: ["pipeline"],
      registers,
      async collect() {
        for (const pipeline of pipelines) {
          const saved = await store.getCheckpoint(pipeline);
          if (saved !== undefined) this.set({ pipeline }, (Date.now() - Date.parse(saved.updatedAt)) / 1000);
        }
      },
    });
    for (const pipeline of pipelines) {
      this.failures.inc({ pipeline }, 0);
      this.consecutiveErrors.set({ pipeline }, 0);
    }
  }

  /**
   * A stream's label: its name while the pipeline has fewer than maxStreams
   * labels (the first streams seen keep theirs), else OTHER_STREAMS. The busiest
   * streams of a run are labelled first.
   */
  private streamLabel(pipeline: string, stream: string): string {
    let labels = this.labelled.get(pipeline);
    if (labels === undefined) {
      labels = new Set();
      this.labelled.set(pipeline, labels);
    }
    if (labels.has(stream)) return stream;
    if (labels.size >= this.maxStreams) return OTHER_STREAMS;
    labels.add(stream);
    return stream;
  }

  recordRun(result: RunResult, consecutiveErrors: number): void {
    const { pipeline } = result;
    const busiestFirst = Object.entries(result.progress).sort(([, left], [, right]) => right.read - left.read);
    for (const [name, progress] of busiestFirst) {
      const stream = this.streamLabel(pipeline, name);
      this.read.inc({ pipeline, stream }, progress.read);
      this.written.inc({ pipeline, stream }, progress.written);
      this.deadLettered.inc({ pipeline, stream }, progress.deadLettered);
    }
    for (const counts of result.targets ?? []) {
      const { target } = counts;
      this.targetRecords.inc({ pipeline, target, outcome: "written" }, counts.written);
      this.targetRecords.inc({ pipeline, target, outcome: "rejected" }, counts.rejected);
      this.targetRecords.inc({ pipeline, target, outcome: "unconfirmed" }, counts.unconfirmed);
    }
    for (const counts of result.batches ?? []) {
      const { target } = counts;
      this.batches.inc({ pipeline, target, plane: "native" }, counts.nativeBatches);
      this.batchRows.inc({ pipeline, target, plane: "native" }, counts.nativeRows);
      this.batches.inc({ pipeline, target, plane: "downgraded" }, counts.downgradedBatches);
      this.batchRows.inc({ pipeline, target, plane: "downgraded" }, counts.downgradedRows);
    }
    this.durations.observe({ pipeline, status: result.status }, result.seconds);
    if (result.status === "failed") this.failures.inc({ pipeline });
    if (result.status === "succeeded") this.lastSuccess.set({ pipeline }, Date.now() / 1000);
    this.consecutiveErrors.set({ pipeline }, consecutiveErrors);
  }
}
