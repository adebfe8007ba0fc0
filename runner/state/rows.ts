import { parseJson, parseRecordJson, stringifyJson } from "../../protocol/index.js";
import type { ErrorKind } from "../../protocol/index.js";
import type { CheckpointSnapshot, DeadLetter, DeadLetterEvent, NewDeadLetter, RunProgress, RunRecord, RunStatus, TargetProgress } from "./types.js";

/** Converts between the store's rows and the runner's records. */

/** Now, as every store writes times. */
export const now = (): string => new Date().toISOString();

export const json = (value: unknown): string | null => (value === undefined ? null : stringifyJson(value));
const parsed = <T>(text: unknown): T | undefined => (typeof text === "string" ? (JSON.parse(text) as T) : undefined);

/** The columns a RunRecord is made of (a run's saved checkpoint is read only as history). */
export const RUN_COLUMNS = "id, pipeline, started_at, ended_at, status, progress, dead_lettered, error, error_code, error_kind, targets";

/**
 * The checkpoint history is bounded, so large checkpoints cannot grow the
 * store run by run: each run keeps a copy of its last checkpoint up to this
 * size (larger ones keep their size only), and only the newest runs of a
 * pipeline keep theirs.
 */
export const HISTORY_MAX_BYTES = 64 * 1024;
export const HISTORY_RUNS = 50;

/** What the history keeps of a checkpoint: its text when small enough, and its size. */
export function historyCopy(state: unknown): { text: string | null; bytes: number } {
  const text = stringifyJson(state);
  const bytes = Buffer.byteLength(text);
  return { text: bytes <= HISTORY_MAX_BYTES ? text : null, bytes };
}

export interface HistoryRow {
  id: string;
  checkpoint: string | null;
  checkpoint_bytes: number | string;
  checkpoint_at: string;
}

export function toSnapshot(row: HistoryRow): CheckpointSnapshot {
  return {
    runId: row.id,
    state: row.checkpoint === null ? undefined : parseJson(row.checkpoint),
    bytes: Number(row.checkpoint_bytes),
    savedAt: row.checkpoint_at,
  };
}

export interface RunRow {
  id: string;
  pipeline: string;
  started_at: string;
  ended_at: string | null;
  status: RunStatus;
  progress: string;
  dead_lettered: number;
  error: string | null;
  error_code: string | null;
  error_kind: string | null;
  targets?: string | null;
}

export function toRun(row: RunRow): RunRecord {
  return {
    id: row.id,
    pipeline: row.pipeline,
    startedAt: row.started_at,
    endedAt: row.ended_at ?? undefined,
    status: row.status,
    progress: JSON.parse(row.progress) as RunProgress,
    targets: parsed<TargetProgress[]>(row.targets),
    deadLettered: row.dead_lettered,
    error: row.error ?? undefined,
    errorCode: row.error_code ?? undefined,
    errorKind: (row.error_kind as ErrorKind | null) ?? undefined,
  };
}

export function toDeadLetter(row: Record<string, unknown>): DeadLetter {
  return {
    id: row["id"] as number,
    pipeline: row["pipeline"] as string,
    runId: row["run_id"] as string,
    stream: row["stream"] as string,
    stage: row["stage"] as DeadLetter["stage"],
    errorCode: row["error_code"] as string,
    errorMessage: row["error_message"] as string,
    original: typeof row["original"] === "string" ? parseRecordJson(row["original"]) : undefined,
    processed: typeof row["processed"] === "string" ? parseRecordJson(row["processed"]) : undefined,
    raw: (row["raw"] as string | null) ?? undefined,
    schema: parsed(row["schema"] ?? row["schema_document"]),
    keyProperties: parsed(row["key_properties"]),
    checkpoint: parsed(row["checkpoint"] ?? row["checkpoint_document"]),
    location: parsed(row["location"]),
    createdAt: row["created_at"] as string,
    status: row["status"] as DeadLetter["status"],
    attempts: row["attempts"] as number,
    lastError: (row["last_error"] as string | null) ?? undefined,
    history: parsed<DeadLetterEvent[]>(row["history"]) ?? [],
  };
}

/** The columns a new dead letter fills, for both SQL stores. */
/** A new dead letter's columns: its checkpoint and schema go by reference (dead-letter-documents.ts); older rows hold them in `checkpoint` and `schema`. */
export const DEAD_LETTER_COLUMNS =
  "pipeline, run_id, stream, stage, error_code, error_message, original, processed, raw, schema_ref, key_properties, checkpoint_ref, location, created_at";

/** A new dead letter's values, in the order of DEAD_LETTER_COLUMNS. */
export function deadLetterValues(
  entry: NewDeadLetter,
  createdAt: string,
  refs: { readonly schema: number | null; readonly checkpoint: number | null },
): unknown[] {
  return [
    entry.pipeline,
    entry.runId,
    entry.stream,
    entry.stage,
    entry.errorCode,
    entry.errorMessage,
    json(entry.original),
    json(entry.processed),
    entry.raw ?? null,
    refs.schema,
    json(entry.keyProperties),
    refs.checkpoint,
    json(entry.location),
    createdAt,
  ];
}

/** A dead letter's event as the JSON text the stores append to its history. */
export function eventJson(kind: DeadLetterEvent["kind"], detail: string, at = now()): string {
  return JSON.stringify({ at, kind, detail } satisfies DeadLetterEvent);
}
