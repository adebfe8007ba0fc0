import { maskSecrets } from "../../protocol/index.js";
import { randomBytes } from "node:crypto";
import type { AgoraError } from "../../protocol/index.js";
import type { RunStore } from "../state/interfaces.js";
import type { RunFailure } from "../state/types.js";
import type { RunResult } from "./types.js";

/** An error as the failure a run (or a replay) is recorded with: its one line, secrets masked, its code and kind. */
export function runFailureOf(error: AgoraError): RunFailure {
  return { code: error.code, kind: error.kind, message: maskSecrets(error.toUserLine()) };
}

/** A run's id: its start time (UTC, to the second) and a random part, so ids sort by time. */
export function newRunId(): string {
  return `${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, "")
    .slice(0, 14)}-${randomBytes(3).toString("hex")}`;
}

/**
 * Records a run that failed before it could start (its pipeline or
 * middleware could not be built), so the history shows it, and returns its
 * result.
 */
export async function recordFailedRun(pipeline: string, store: RunStore, error: AgoraError): Promise<RunResult> {
  const result = failedBeforeStart(pipeline, newRunId(), error);
  await store.startRun(result.runId, pipeline);
  await store.finishRun(result.runId, "failed", {}, result.failure);
  return result;
}

/** The result of a run that failed before reading anything. */
export function failedBeforeStart(pipeline: string, runId: string, error: AgoraError): RunResult {
  const located = error.where.pipeline === undefined ? error.withLocation({ pipeline }) : error;
  const failure = runFailureOf(located);
  return {
    runId,
    pipeline,
    status: "failed",
    progress: {},
    recordsRead: 0,
    recordsWritten: 0,
    deadLettered: 0,
    skipped: 0,
    checkpointAdvanced: false,
    seconds: 0,
    failure,
    signal: undefined,
  };
}
