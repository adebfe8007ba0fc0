import { rmSync } from "node:fs";
import { FatalError, type AgoraError, type DeadLetterMessage, type Logger } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { BatchFileLedger } from "../batches/batch-file-ledger.js";
import type { TargetBatchFormats } from "../batches/batch-lane.js";
import { BatchRoute, type BatchFormatSource } from "../batches/batch-route.js";
import { buildMiddleware } from "../middleware/build-middleware.js";
import { MiddlewareChain } from "../middleware/chain.js";
import { CheckpointTracker } from "../pipeline/checkpoint-tracker.js";
import { Activity, watchIdle, type HangHandler } from "../pipeline/activity.js";
import { DataPath } from "../pipeline/data-path.js";
import { GRACE_MS, MessagePump, type InputGate } from "../pipeline/message-pump.js";
import { RunEvents } from "../pipeline/run-events.js";
import { describePhase, type RunPhase } from "../pipeline/run-phase.js";
import type { RejectedRecord, Rejections, RunControl, StateLedger, TargetReports, TargetSink } from "../ports.js";
import { RunCounts } from "../pipeline/run-counts.js";
import { runFailureOf } from "../pipeline/run-records.js";
import type { StopRequests } from "../pipeline/stop-requests.js";
import { StreamDirectory } from "../pipeline/stream-directory.js";
import { TargetSet } from "../pipeline/target-set.js";
import type { PipelineDefinition } from "../definition.js";
import { privateDir } from "../process/private-dir.js";
import type { DeadLetterStore } from "../state/interfaces.js";
import type { DeadLetter, DeadLetterStage, RunFailure } from "../state/types.js";
import { DeadLetterSource } from "./dead-letter-source.js";

export { REPLAY_MARKER } from "./dead-letter-source.js";

export type ReplayMode = "full" | "sink";

export interface ReplayOptions {
  readonly mode: ReplayMode;
  readonly stage?: DeadLetterStage | undefined;
  readonly ids?: readonly number[] | undefined;
  readonly logger: Logger;
  /** A stop request kills the targets: entries not yet confirmed stay pending. */
  readonly stop?: StopRequests;
}

export interface ReplaySummary {
  readonly attempted: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Why each entry that failed again did, by id (kept as its lastError). */
  readonly failures: ReadonlyArray<{ readonly id: number; readonly error: string }>;
  readonly notReplayable: number;
  /** Sent, but not confirmed by every target (a target failed): left pending. */
  readonly unconfirmed: number;
  /** Why the replay stopped before its end (a target failed, a stop, a hang), with its code and kind, as a run's failure. */
  readonly failure: RunFailure | undefined;
}

/**
 * Replays pending dead letters of a pipeline, through the same parts as a
 * sync: the entries are the source, a DataPath does validation and the
 * middleware, a TargetSet the targets. `full` sends each original record
 * through the middleware, validation of what it made, and the targets
 * again (the middleware first, so a step added to repair records helps); `sink` (and, in
 * `full`, an entry with no original: a target's rejection) sends the record
 * (the processed one where there is one) straight to the targets. Each
 * record is followed by a marker STATE; an entry is marked done only once
 * every target has confirmed the STATE after it and nothing rejected it
 * (validation, a middleware, a target), so a record that already succeeded
 * is never sent again, and one that fails again stays, with its attempt
 * count raised.
 */
export async function replayDeadLetters(definition: PipelineDefinition, store: DeadLetterStore, options: ReplayOptions): Promise<ReplaySummary> {
  const entries = await store.listDeadLetters({ pipeline: definition.name, stage: options.stage, status: "pending", ids: options.ids });
  const replayable = entries.filter((entry) => entry.original !== undefined || entry.processed !== undefined);
  const notReplayable = entries.length - replayable.length;
  if (replayable.length === 0) return { attempted: 0, succeeded: 0, failed: 0, failures: [], notReplayable, unconfirmed: 0, failure: undefined };
  const chain = new MiddlewareChain(await buildMiddleware(definition.middleware, definition.projectDir, definition.workDir));
  const replay = new Replay(definition, chain, options.logger);
  const unsubscribe = options.stop?.subscribe((signal) => replay.stop(signal));
  try {
    await replay.replay(replayable, options.mode);
  } finally {
    unsubscribe?.();
    await chain.close();
    replay.close();
  }
  const { succeeded, failed, unconfirmed } = replay.outcome();
  await store.recordReplay(succeeded, failed);
  const failure = replay.failure === undefined ? undefined : runFailureOf(replay.failure);
  if (failure !== undefined) options.logger.error(failure.message);
  return {
    attempted: replayable.length,
    succeeded: succeeded.length,
    failed: failed.length,
    failures: failed,
    notReplayable,
    unconfirmed,
    failure,
  };
}

/**
 * One replay: the entries are its source, sent one by one through a data
 * path to the pipeline's targets, each followed by a marker STATE. It is
 * the ports of its parts: what they send goes through it to the targets
 * (so it knows which entry each target's line belongs to), STATEs are
 * numbered and confirmed by its tracker, rejections are kept by entry.
 */
class Replay implements TargetSink, StateLedger, TargetReports, Rejections, RunControl, BatchFormatSource, InputGate, HangHandler {
  private readonly workDir: string;
  private readonly tracker: CheckpointTracker;
  private readonly targets: TargetSet;
  private readonly activity = new Activity(new RunEvents());
  private readonly loop: MessagePump;
  /** The middleware first, then validation of what it made: a step added to repair a record (a coerce) can make it valid. */
  private readonly throughChain: DataPath;
  /** What a target refused is sent again as it was, under the stream's name for targets (renames still apply). */
  private readonly straight: DataPath;
  /** Why an entry failed again (validation, a middleware or a target), by entry id. */
  private readonly rejections = new Map<number, string>();
  private readonly entryOfSequence = new Map<number, number>();
  /** The entry each line sent to the targets belongs to, by the targets' input line number. */
  private readonly entryOfTargetLine: Array<Map<number, number>>;
  /** Lines sent to each target (routes may send a line to some only). */
  private readonly linesQueued: number[];
  private current = 0;
  private confirmedUpTo = 0;
  /** The first error that stopped the replay. */
  failure: AgoraError | undefined;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly chain: MiddlewareChain,
    logger: Logger,
  ) {
    this.workDir = privateDir(definition.workDir, "replay");
    this.tracker = new CheckpointTracker(definition.targets.length);
    this.entryOfTargetLine = definition.targets.map(() => new Map<number, number>());
    this.linesQueued = definition.targets.map(() => 0);
    this.targets = new TargetSet(definition.targets, this, this, logger);
    const replaying = { ...definition, maxRecords: undefined, validate: false };
    const pathOf = (pathChain: MiddlewareChain, validateAfterChain: boolean): DataPath => {
      const streams = new StreamDirectory(definition);
      const counts = new RunCounts(definition.targets.length);
      const batches = new BatchRoute(replaying, pathChain, streams, counts, {
        sink: this,
        rejections: this,
        files: new BatchFileLedger(logger, definition.name),
        formats: this,
      });
      return new DataPath(replaying, pathChain, { sink: this, rejections: this, control: this, streams, counts, batches }, { validateAfterChain });
    };
    this.throughChain = pathOf(chain, definition.validate);
    this.straight = pathOf(chain.renamesOnly(), false);
    this.loop = new MessagePump(this.targets, this.activity, this);
  }

  /** Sends each entry, its STATE after it; stops at the first error (a target that failed, a stop). */
  async replay(entries: readonly DeadLetter[], mode: ReplayMode): Promise<void> {
    this.targets.start(this.workDir, this.definition);
    const source = new DeadLetterSource(this.chain);
    const stopWatching = watchIdle(this.activity, this.definition.idleTimeoutSeconds, this);
    try {
      for (const entry of entries) {
        this.current = entry.id;
        this.activity.touch();
        const viaChain = mode === "full" && entry.original !== undefined;
        const path = viaChain ? this.throughChain : this.straight;
        await this.loop.feed(path, await source.messages(entry, viaChain));
        await path.flush();
        await this.loop.flush();
        if (this.failure !== undefined) break;
      }
    } finally {
      stopWatching();
    }
    const exits = await this.targets.end(Math.max(GRACE_MS, this.definition.idleTimeoutSeconds * 1000));
    for (const [index, exit] of exits.entries()) {
      const problem = this.targets.channels[index]?.process.describeFailure(exit, "during the replay");
      if (problem !== undefined) this.failure ??= problem;
    }
  }

  /** A target that neither reads nor exits for the pipeline's idle timeout is killed (a middleware has its own). */
  hung(idleSeconds: number, phase: RunPhase): void {
    if (phase.kind !== "writing_targets") return;
    this.failure ??= new FatalError(RunnerCodes.CONNECTOR_HUNG, `no progress for ${idleSeconds} s while waiting for ${describePhase(phase)}`, {
      hint: "A target seems hung: check its logs above, or raise idle_timeout_seconds if it is just slow.",
    });
    this.targets.kill("SIGKILL");
  }

  /** A replay sends each entry whole. */
  readonly closed = false;

  /** A stop request: the targets are killed; entries not yet confirmed stay pending. */
  stop(signal: NodeJS.Signals): void {
    this.failure ??= new FatalError(RunnerCodes.RUN_INTERRUPTED, `stopped by ${signal}`);
    this.targets.kill("SIGTERM");
  }

  close(): void {
    rmSync(this.workDir, { recursive: true, force: true });
  }

  /** Entries confirmed by every target and rejected by nothing, entries rejected again (with why), and entries left unconfirmed. */
  outcome(): { succeeded: number[]; failed: Array<{ id: number; error: string }>; unconfirmed: number } {
    const succeeded: number[] = [];
    const failed: Array<{ id: number; error: string }> = [];
    let unconfirmed = 0;
    for (const [sequence, id] of this.entryOfSequence) {
      const rejection = this.rejections.get(id);
      if (rejection !== undefined) failed.push({ id, error: rejection });
      else if (sequence <= this.confirmedUpTo) succeeded.push(id);
      else unconfirmed += 1;
    }
    return { succeeded, failed, unconfirmed };
  }

  // The ports of the replay's parts

  send(line: string, to: readonly number[] | undefined): void {
    this.countLine(to);
    this.targets.send(line, to);
  }

  sendLineBytes(bytes: Buffer, to: readonly number[] | undefined): void {
    this.countLine(to);
    this.targets.sendLineBytes(bytes, to);
  }

  /** Notes the entry being replayed as the one behind the next line of each target listed (every target when undefined). */
  private countLine(to: readonly number[] | undefined): void {
    for (const index of to ?? this.linesQueued.keys()) {
      this.linesQueued[index] = (this.linesQueued[index] ?? 0) + 1;
      this.entryOfTargetLine[index]?.set(this.linesQueued[index] ?? 0, this.current);
    }
  }

  sendState(value: unknown, line: string): void {
    this.entryOfSequence.set(this.forward(value), this.current);
    this.send(line, undefined);
  }

  forward(value: unknown): number {
    return this.tracker.forward(value, {});
  }

  recognises(value: unknown): boolean {
    return this.tracker.recognises(value);
  }

  isSentState(value: unknown): boolean {
    return this.tracker.recognises(value);
  }

  confirmed(target: number, value: unknown): boolean {
    const confirmed = this.tracker.confirm(target, value);
    if (confirmed !== undefined && confirmed !== "unknown") this.confirmedUpTo = confirmed.sequence;
    return confirmed !== "unknown";
  }

  rejected(target: number, message: DeadLetterMessage): void {
    const id = message.location?.line === undefined ? undefined : this.entryOfTargetLine[target]?.get(message.location.line);
    if (id !== undefined) this.rejections.set(id, `${this.targets.nameOf(target)}: ${message.error.message}`);
  }

  reject(rejected: RejectedRecord): void {
    this.rejections.set(this.current, rejected.errorMessage);
  }

  fail(problem: AgoraError): void {
    this.failure ??= problem;
  }

  maxRecordsReached(): void {
    // A replay has no max_records.
  }

  /** Dead letters are records: a replay sends no BATCH. */
  batchFormats(): Promise<TargetBatchFormats> {
    return Promise.resolve(this.definition.targets.map(() => []));
  }
}
