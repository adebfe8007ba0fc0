import type { ErrorKind } from "../../protocol/index.js";

/** What the runner keeps between runs: checkpoints, run history, dead letters. */

export type RunStatus = "running" | "succeeded" | "failed" | "stopped";

/** Records read from the tap, delivered to every target, and dead-lettered, per stream. */
/**
 * One stream's counts in a run: records the tap sent (`read`), records
 * every target confirmed durable by a STATE (`written`: a record a target
 * rejected is not among them), records in the DLQ or skipped
 * (`deadLettered`), and records sent to the targets after the last STATE
 * they all confirmed (`unconfirmed`: likely written by a target that
 * exited cleanly, but nothing said so; absent in runs recorded before it).
 */
export interface StreamProgress {
  read: number;
  written: number;
  deadLettered: number;
  unconfirmed?: number;
  /** What the source last said of the stream (an Airbyte source's STREAM_STATUS: COMPLETE, INCOMPLETE…). */
  sourceStatus?: string;
  /** Records the source expected to send (an Airbyte source's ESTIMATE). */
  expected?: number;
}

export type RunProgress = Record<string, StreamProgress>;

/** What one target did with the records of a run, in the terms the summary uses. */
export interface TargetProgress {
  readonly target: string;
  /** Records sent to it (routes may send a record to some targets only). */
  readonly sent: number;
  /** Of those, the ones it confirmed durable (by echoing a STATE after them), less the ones it rejected. */
  readonly written: number;
  /** Records it rejected (a DEAD_LETTER, or a value its destination refused). */
  readonly rejected: number;
  /** Sent to it after the last STATE it confirmed. */
  readonly unconfirmed: number;
}

/** Why a run failed (or was stopped): the error's code and kind, and the one line a user reads. */
export interface RunFailure {
  readonly code: string;
  /** The error's kind: it decides what a scheduler does next. */
  readonly kind: ErrorKind;
  readonly message: string;
}

export interface RunRecord {
  readonly id: string;
  readonly pipeline: string;
  readonly startedAt: string;
  readonly endedAt: string | undefined;
  readonly status: RunStatus;
  readonly progress: RunProgress;
  /** Per target (runs recorded before these were kept have none). */
  readonly targets?: readonly TargetProgress[] | undefined;
  readonly deadLettered: number;
  /** The one-line error of a failed or stopped run. */
  readonly error: string | undefined;
  /** Its code and kind (undefined for runs recorded before they were kept). */
  readonly errorCode: string | undefined;
  readonly errorKind: ErrorKind | undefined;
}

/** The checkpoint a run had saved last: one point of a pipeline's checkpoint history. */
export interface CheckpointSnapshot {
  readonly runId: string;
  /** Undefined when it was too large to keep a copy of (see HISTORY_MAX_BYTES). */
  readonly state: unknown;
  /** Its size as JSON text. */
  readonly bytes: number;
  readonly savedAt: string;
}

export interface SavedCheckpoint {
  readonly pipeline: string;
  readonly state: unknown;
  readonly runId: string | undefined;
  readonly updatedAt: string;
}

export type { DeadLetterStage } from "../../protocol/index.js";
import type { DeadLetterStage } from "../../protocol/index.js";
export type DeadLetterStatus = "pending" | "done";

export interface NewDeadLetter {
  readonly pipeline: string;
  readonly runId: string;
  readonly stream: string;
  readonly stage: DeadLetterStage;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** The record as the tap emitted it, when there is one. */
  readonly original?: Record<string, unknown> | undefined;
  /** The record after middleware, for failures after it. */
  readonly processed?: Record<string, unknown> | undefined;
  /** Raw source text, for rows that could not be parsed. */
  readonly raw?: string | undefined;
  /** The stream's SCHEMA (as the tap sent it) at the time, so a replay can announce it. */
  readonly schema?: unknown;
  readonly keyProperties?: readonly string[] | undefined;
  /** The pipeline's saved checkpoint when the record failed. */
  readonly checkpoint?: unknown;
  /** Where the source row came from. */
  readonly location?: { file?: string; line?: number } | undefined;
}

/** One thing that happened to a dead letter after it was stored: a replay it failed again, or an edit of its record. */
export interface DeadLetterEvent {
  readonly at: string;
  readonly kind: "replay_failed" | "edited";
  /** The replay's error, or what the edit changed. */
  readonly detail: string;
}

export interface DeadLetter extends NewDeadLetter {
  readonly id: number;
  readonly createdAt: string;
  readonly status: DeadLetterStatus;
  readonly attempts: number;
  /** The latest replay's error, while it is the latest event. */
  readonly lastError: string | undefined;
  /** Every replay that failed and every edit, oldest first. */
  readonly history: readonly DeadLetterEvent[];
}

export interface DeadLetterFilter {
  readonly pipeline: string;
  readonly stage?: DeadLetterStage | undefined;
  readonly status?: DeadLetterStatus | undefined;
  readonly ids?: readonly number[] | undefined;
  readonly stream?: string | undefined;
  readonly errorCode?: string | undefined;
  readonly limit?: number | undefined;
  /** Entries skipped first (in id order), for pages. */
  readonly offset?: number | undefined;
}

/** How many dead letters a pipeline has of one stream, stage, error code and status. */
export interface DeadLetterGroup {
  readonly stream: string;
  readonly stage: DeadLetterStage;
  readonly errorCode: string;
  readonly status: DeadLetterStatus;
  readonly count: number;
}

/**
 * When a scheduled pipeline is due next across every worker sharing the
 * store: written by the worker that ran it, under the pipeline's lease.
 */
export interface NextRun {
  /** ISO time; undefined when it is not due again (a `once` schedule that ran). */
  readonly at: string | undefined;
  /** The schedule it was worked out from ("every 1h"): a changed schedule makes it due at once. */
  readonly schedule: string;
}

/**
 * The command lines of an ad hoc pipeline (`agora run --tap ... --target
 * ...`), kept so its dead letters can be replayed: as typed, but with every
 * secret found in them (commandLineSecrets) replaced by `***`.
 */
export interface AdHocCommands {
  readonly tap: string;
  readonly targets: readonly string[];
  /** The folder it ran in: relative paths in the commands are relative to it. */
  readonly cwd: string;
  /** True when a secret was masked out: a replay then needs the target commands again. */
  readonly masked: boolean;
}

/** A discovered catalog kept by the runner. */
export interface CachedCatalog {
  readonly catalog: unknown;
  /** The pipeline that discovered it (several may share one tap and config). */
  readonly pipeline: string;
  readonly discoveredAt: string;
}
