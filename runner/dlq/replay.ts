import { rmSync } from "node:fs";
import type { Logger } from "../../protocol/index.js";
import { buildMiddleware } from "../middleware/build-middleware.js";
import { privateDir } from "../process/private-dir.js";
import { MiddlewareChain } from "../middleware/chain.js";
import { CheckpointTracker } from "../pipeline/checkpoint-tracker.js";
import { DataPath, type DataPathHooks } from "../pipeline/data-path.js";
import type { StopRequests } from "../pipeline/stop-requests.js";
import { TargetSet } from "../pipeline/target-set.js";
import type { PipelineDefinition } from "../pipeline/types.js";
import type { DeadLetterStore } from "../state/interfaces.js";
import type { DeadLetterStage } from "../state/types.js";
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
  readonly error: string | undefined;
}

/** How long targets may take to write and confirm what they got, at least. */
const TARGET_GRACE_MS = 10_000;

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
  if (replayable.length === 0) return { attempted: 0, succeeded: 0, failed: 0, failures: [], notReplayable, unconfirmed: 0, error: undefined };

  const chain = new MiddlewareChain(await buildMiddleware(definition.middleware, definition.projectDir, definition.workDir));
  const workDir = privateDir(definition.workDir, "replay");
  const tracker = new CheckpointTracker(definition.targets.length);
  /** Why an entry failed again (validation, a middleware or a target), by entry id. */
  const rejections = new Map<number, string>();
  const entryOfSequence = new Map<number, number>();
  /** The entry each line sent to the targets belongs to, by the targets' input line number. */
  const entryOfTargetLine = definition.targets.map(() => new Map<number, number>());
  let current = 0;
  /** Lines sent to each target (routes may send a line to some only). */
  const linesQueued = definition.targets.map(() => 0);
  let confirmedUpTo = 0;

  const targets = new TargetSet(
    definition.targets,
    workDir,
    {
      isSentState: (value) => tracker.recognises(value),
      onState: (i, value) => {
        const confirmed = tracker.confirm(i, value);
        if (confirmed !== undefined && confirmed !== "unknown") confirmedUpTo = confirmed.sequence;
        return confirmed !== "unknown";
      },
      onDeadLetter: (i, message) => {
        const id = message.location?.line === undefined ? undefined : entryOfTargetLine[i]?.get(message.location.line);
        if (id !== undefined) rejections.set(id, `${targets.nameOf(i)}: ${message.error.message}`);
      },
    },
    options.logger,
  );
  const hooks: DataPathHooks = {
    queue: (line, to) => {
      for (const index of to ?? linesQueued.keys()) {
        linesQueued[index] = (linesQueued[index] ?? 0) + 1;
        entryOfTargetLine[index]?.set(linesQueued[index] ?? 0, current);
      }
      targets.queue(line, to);
    },
    fail: (problem) => {
      error ??= problem.toUserLine();
    },
    forwardingState: (value) => void entryOfSequence.set(tracker.forward(value, {}), current),
    reject: (rejected) => void rejections.set(current, rejected.errorMessage),
    maxRecordsReached: () => undefined,
    // Dead letters are records: a replay sends no BATCH.
    batchFormats: () => Promise.resolve(definition.targets.map(() => [])),
    batchFilesSent: () => undefined,
  };
  const replaying = { ...definition, maxRecords: undefined };
  // The middleware first, then validation of what it made: a step added to repair a record (a coerce) can make it valid.
  const throughChain = new DataPath({ ...replaying, validate: false }, chain, hooks, { validateAfterChain: definition.validate });
  // What a target refused is sent again as it was, under the stream's name for targets (renames still apply).
  const straight = new DataPath({ ...replaying, validate: false }, chain.renamesOnly(), hooks);
  const source = new DeadLetterSource(chain);

  let error: string | undefined;
  const unsubscribe = options.stop?.subscribe((signal) => {
    error ??= `stopped by ${signal}`;
    targets.kill("SIGTERM");
  });
  // A target that neither reads nor exits is killed after the pipeline's idle timeout.
  const idleMs = definition.idleTimeoutSeconds * 1000;
  const flushAll = async (): Promise<void> => {
    const wait = targets.flush();
    if (wait === undefined) return;
    const timer = setTimeout(() => {
      error ??= `no progress for ${definition.idleTimeoutSeconds} s while waiting for a target to read its input`;
      targets.kill("SIGKILL");
    }, idleMs);
    await wait;
    clearTimeout(timer);
  };
  try {
    for (const entry of replayable) {
      current = entry.id;
      const viaChain = options.mode === "full" && entry.original !== undefined;
      const path = viaChain ? throughChain : straight;
      for (const item of await source.messages(entry, viaChain)) {
        const wait = path.handle(item);
        if (wait !== undefined) await wait;
      }
      await path.flush();
      await flushAll();
      if (error !== undefined) break;
    }
    const exits = await targets.end(Math.max(TARGET_GRACE_MS, idleMs));
    exits.forEach((exit, index) => {
      const problem = targets.channels[index]?.process.describeFailure(exit, "during the replay");
      if (problem !== undefined) error ??= problem.toUserLine();
    });
  } finally {
    unsubscribe?.();
    await chain.close();
    rmSync(workDir, { recursive: true, force: true });
  }

  const succeeded: number[] = [];
  const failed: Array<{ id: number; error: string }> = [];
  let unconfirmed = 0;
  for (const [sequence, id] of entryOfSequence) {
    const rejection = rejections.get(id);
    if (rejection !== undefined) failed.push({ id, error: rejection });
    else if (sequence <= confirmedUpTo) succeeded.push(id);
    else unconfirmed += 1;
  }
  await store.recordReplay(succeeded, failed);
  if (error !== undefined) options.logger.error(error);
  return { attempted: replayable.length, succeeded: succeeded.length, failed: failed.length, failures: failed, notReplayable, unconfirmed, error };
}
