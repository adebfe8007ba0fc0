import type { TargetProgress } from "../state/types.js";
import type { RunResult } from "./types.js";

/**
 * `1234567` as `1,234,567`. Grouped by hand: the first toLocaleString of a process loads the
 * locale data, 12 ms of every `agora run`'s start-up.
 */
export function count(value: number): string {
  const [whole = "", fraction] = String(value).split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** Streams a summary names before "and N more": a line a terminal can show, whatever the stream count. */
export const STREAMS_SHOWN = 10;

/**
 * `users 1,000, orders 5,000`: each stream and a count of it, the largest
 * first and at most `limit` of them, then `and N more streams` (every one
 * in their order with `limit` undefined).
 */
export function streamCounts<T>(
  progress: Readonly<Record<string, T>>,
  countOf: (value: T) => number,
  format: (stream: string, value: T) => string,
  limit: number | undefined,
): string {
  const entries = Object.entries(progress);
  if (limit === undefined || entries.length <= limit) return entries.map(([stream, value]) => format(stream, value)).join(", ");
  const shown = [...entries].sort(([leftName, left], [rightName, right]) => countOf(right) - countOf(left) || (leftName < rightName ? -1 : 1)).slice(0, limit);
  return `${shown.map(([stream, value]) => format(stream, value)).join(", ")}, and ${count(entries.length - limit)} more streams`;
}

/** The one summary line of a run: the streams with the most records, and how many more (all of them with `allStreams`). */
export function summaryLine(result: RunResult, allStreams = false): string {
  const streams = streamCounts(
    result.progress,
    (progress) => progress.written,
    (stream, progress) => `${stream} ${count(progress.written)}`,
    allStreams ? undefined : STREAMS_SHOWN,
  );
  const rate = result.seconds > 0 ? ` (${count(Math.round(result.recordsRead / result.seconds))}/s)` : "";
  const unconfirmed = result.recordsUnconfirmed ?? 0;
  const rejected = [
    result.deadLettered > 0 ? `${count(result.deadLettered)} to the DLQ` : "",
    result.skipped > 0 ? `${count(result.skipped)} skipped` : "",
    unconfirmed > 0 ? `${count(unconfirmed)} sent but not confirmed by a STATE` : "",
  ]
    .filter((part) => part !== "")
    .join(", ");
  const base = `pipeline ${result.pipeline} ${result.status} in ${result.seconds.toFixed(1)} s: read ${count(result.recordsRead)}${rate}, wrote ${count(result.recordsWritten)}${streams === "" ? "" : ` (${streams})`}${rejected === "" ? "" : `; ${rejected}`}; checkpoint ${checkpointPart(result)}; run ${result.runId}`;
  const perTarget = (result.targets?.length ?? 0) > 1 ? `${base}; per target: ${targetsPart(result.targets ?? [])}` : base;
  const withBatches = result.batches === undefined ? perTarget : `${perTarget}; batches: ${result.batches.map(batchPart).join(", ")}`;
  return result.failure === undefined ? withBatches : `${withBatches}\n${result.failure.message}`;
}

/** With several targets, what each did: `warehouse wrote 98 (2 rejected), archive wrote 100`. */
export function targetsPart(targets: readonly TargetProgress[]): string {
  return targets
    .map((target) => {
      const extra = [
        target.rejected > 0 ? `${count(target.rejected)} rejected` : "",
        target.unconfirmed > 0 ? `${count(target.unconfirmed)} unconfirmed` : "",
      ].filter((part) => part !== "");
      return `${target.target} wrote ${count(target.written)}${extra.length === 0 ? "" : ` (${extra.join(", ")})`}`;
    })
    .join(", ");
}

/** What became of the checkpoint: a failed run saved only what every target confirmed before the failure. */
function checkpointPart(result: RunResult): string {
  if (result.checkpointUnsaved === true)
    return result.checkpointAdvanced
      ? "saved up to an earlier STATE: the later ones every target confirmed could not be saved"
      : "unchanged: the STATEs every target confirmed could not be saved";
  if (!result.checkpointAdvanced) return "unchanged";
  return result.status === "succeeded" ? "saved" : "saved up to the last STATE every target confirmed before the failure";
}

/** One target's batches: how many arrived as batches, and how many as RECORDs (the downgrade at its boundary). */
function batchPart(counts: NonNullable<RunResult["batches"]>[number]): string {
  const parts = [
    counts.nativeBatches > 0 ? `${count(counts.nativeBatches)} native (${count(counts.nativeRows)} rows)` : "",
    counts.downgradedBatches > 0 ? `${count(counts.downgradedBatches)} as records (${count(counts.downgradedRows)} rows)` : "",
  ].filter((part) => part !== "");
  return `${counts.target} ${parts.length === 0 ? "none" : parts.join(" + ")}`;
}
