import type { AgoraError, DeadLetterMessage } from "../protocol/index.js";
import type { StreamShape } from "./middleware/types.js";
import type { NewDeadLetter } from "./state/types.js";

/*
 * The ports between the parts of a run. A record goes tap → DataPath →
 * TargetSink (TargetSet) → a target's stdin; a STATE goes the same way, and
 * comes back from a target's stdout through TargetReports to the
 * CheckpointKeeper, which queues its save on the run's StoreWrites. Each
 * part is handed the ports it writes to when the run is assembled
 * (pipeline/assemble-run.ts); none is handed a callback.
 */

/** Where the data path sends what leaves it, in source order: the run's targets. */
export interface TargetSink {
  /** One line (with its newline) for the targets listed (every target when undefined). */
  send(line: string, to: readonly number[] | undefined): void;
  /** One line as bytes, without its newline (a forwarded RECORD, as the tap wrote it), for the targets listed (every target when undefined). */
  sendLineBytes(bytes: Buffer, to: readonly number[] | undefined): void;
  /**
   * A STATE for every target: numbered for the checkpoint with the records
   * sent before it (`delivered` per stream, `sentTo` per target), then sent.
   */
  sendState(value: unknown, line: string, delivered: Readonly<Record<string, number>>, sentTo: readonly number[]): void;
}

/** STATEs on their way to the targets, for the checkpoint: the CheckpointKeeper. */
export interface StateLedger {
  /** Numbers a STATE about to be sent; returns its sequence number. */
  forward(value: unknown, delivered: Readonly<Record<string, number>>, sentTo?: readonly number[]): number;
  /** True if `value` is a STATE value sent to the targets: a target's line equal to it is a bare echo. */
  recognises(value: unknown): boolean;
}

/** What a target says on its stdout, as the run hears it. */
export interface TargetReports {
  /** True if `value` is a STATE the runner sent: a line equal to it is a bare echo. */
  isSentState(value: unknown): boolean;
  /** The target echoed a STATE: everything before it is durable there. False if it matches nothing sent. */
  confirmed(target: number, value: unknown): boolean;
  /** The target rejected one record (the DEAD_LETTER extension). */
  rejected(target: number, message: DeadLetterMessage): void;
}

/** A record rejected on a run's way (validation, a middleware, a target, the tap itself): a dead letter to be. */
export type RejectedRecord = Omit<NewDeadLetter, "pipeline" | "runId" | "checkpoint">;

/** Where a rejected record goes: the dead-letter router, under the pipeline's on_error. */
export interface Rejections {
  /** `line`: the tap's line of the record; `connector`: who rejected it, when not the tap. */
  reject(rejected: RejectedRecord, line: number | undefined, connector?: string): void;
}

/** What the parts of a run may ask of the run itself. */
export interface RunControl {
  /** Something makes the run impossible: it fails, and the tap is stopped. */
  fail(error: AgoraError): void;
  /** The pipeline's max_records was reached: the tap is stopped. */
  maxRecordsReached(): void;
}

/** How a run names and routes each stream (StreamDirectory). */
export interface StreamRouting {
  /** The name targets know a stream of the tap's under. */
  outputName(stream: string): string;
  /** The targets of a stream targets know under `name`. */
  targetsOf(name: string): readonly number[];
  /** The targets a record of that stream goes to (undefined: every target of the stream). */
  targetsOfRecord(name: string, record: Readonly<Record<string, unknown>>): readonly number[] | undefined;
  /** True when a target takes only the records an expression holds for: it must get records, not batches. */
  filtersRecords(target: number): boolean;
  /** The tap's SCHEMA of a stream. */
  shapeOf(stream: string): StreamShape | undefined;
  /** The tap's schema of a stream, for dead letters. */
  schemaOf(stream: string): Pick<RejectedRecord, "schema" | "keyProperties">;
}

/** Counts of a run its parts add to (RunCounts). */
export interface RunTallies {
  readonly read: { add(stream: string, count?: number): void };
  readonly delivered: { add(stream: string, count?: number): void };
  readonly targets: { sent(to: readonly number[] | undefined, count?: number): void };
}

/** The lease a run holds, when it runs under one: it says when the lease is found lost. */
export interface HeldLease {
  /** Calls `listener` once the lease is lost (at once if it is already); returns the unsubscribe. */
  onLost(listener: () => void): () => void;
}

/** Told of each checkpoint: numbered on its way out, confirmed by every target. */
export interface CheckpointListener {
  stateForwarded?(sequence: number): void;
  checkpointConfirmed?(state: unknown, written: Readonly<Record<string, number>>, sequence: number): void;
}
