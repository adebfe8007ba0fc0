import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordValidator, serializeMessage, type JsonSchema, type Logger } from "../../protocol/index.js";
import { buildMiddleware } from "../middleware/build-middleware.js";
import { MiddlewareChain } from "../middleware/chain.js";
import type { RecordValue, StreamShape } from "../middleware/types.js";
import { canonicalJson } from "../pipeline/canonical-json.js";
import { CheckpointTracker } from "../pipeline/checkpoint-tracker.js";
import type { StopRequests } from "../pipeline/stop-requests.js";
import { TargetSet } from "../pipeline/target-set.js";
import type { PipelineDefinition } from "../pipeline/types.js";
import type { DeadLetterStore } from "../state/interfaces.js";
import type { DeadLetter, DeadLetterStage } from "../state/types.js";

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
  readonly notReplayable: number;
  /** Sent, but not confirmed by every target (a target failed): left pending. */
  readonly unconfirmed: number;
  readonly error: string | undefined;
}

/** How long targets may take to write and confirm what they got, at least. */
const TARGET_GRACE_MS = 10_000;

/** The key of the STATE sent after each replayed record. */
export const REPLAY_MARKER = "agora_dlq_replay";

/**
 * Replays pending dead letters of a pipeline. `full` sends each original
 * record through validation, the middleware and the targets again; `sink`
 * sends the record (the processed one where there is one) straight to the
 * targets. Each record is followed by a marker STATE; an entry is marked
 * done only once every target has confirmed the STATE after it and none has
 * rejected it, so a record that already succeeded is never sent again, and
 * one that fails again stays, with its attempt count raised.
 */
export async function replayDeadLetters(definition: PipelineDefinition, store: DeadLetterStore, options: ReplayOptions): Promise<ReplaySummary> {
  const entries = await store.listDeadLetters({ pipeline: definition.name, stage: options.stage, status: "pending", ids: options.ids });
  const replayable = entries.filter((entry) => entry.original !== undefined || entry.processed !== undefined);
  const notReplayable = entries.length - replayable.length;
  if (replayable.length === 0) return { attempted: 0, succeeded: 0, failed: 0, notReplayable, unconfirmed: 0, error: undefined };

  const chain = new MiddlewareChain(await buildMiddleware(definition.middleware, definition.projectDir));
  const validator = new RecordValidator();
  const failed: Array<{ id: number; error: string }> = [];
  const succeeded: number[] = [];
  const workDir = mkdtempSync(join(tmpdir(), "agora-replay-"));
  const tracker = new CheckpointTracker(definition.targets.length);
  const entryOfSequence = new Map<number, number>();
  const entryOfLine = new Map<number, number>();
  const rejectedByTarget = new Map<number, string>();
  let confirmedUpTo = 0;
  let linesSent = 0;

  // The same targets a sync has, started the same way.
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
        const id = message.location?.line === undefined ? undefined : entryOfLine.get(message.location.line);
        if (id !== undefined) rejectedByTarget.set(id, `${targets.nameOf(i)}: ${message.error.message}`);
      },
    },
    options.logger,
  );
  const send = (line: string): void => {
    linesSent += 1;
    targets.queue(line);
  };
  const lastSchemaSent = new Map<string, string>();
  const shapesSet = new Map<string, StreamShape>();
  const outputShape = async (entry: DeadLetter): Promise<StreamShape> => {
    const tapShape: StreamShape = { stream: entry.stream, schema: (entry.schema ?? { type: "object" }) as JsonSchema, keyProperties: entry.keyProperties ?? [] };
    if (!shapesSet.has(entry.stream)) {
      shapesSet.set(entry.stream, await chain.setSchema(tapShape));
      validator.setSchema(entry.stream, tapShape.schema);
    }
    return shapesSet.get(entry.stream) as StreamShape;
  };

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
      const tapShape: StreamShape = { stream: entry.stream, schema: (entry.schema ?? { type: "object" }) as JsonSchema, keyProperties: entry.keyProperties ?? [] };
      const afterChain = await outputShape(entry);
      let record: RecordValue;
      let shape: StreamShape;
      if (options.mode === "full" && entry.original !== undefined) {
        const invalid = definition.validate ? validator.validate(entry.stream, entry.original) : undefined;
        if (invalid !== undefined) {
          failed.push({ id: entry.id, error: invalid.message });
          continue;
        }
        const result = await chain.process(entry.original, entry.stream);
        if (result.kind === "failed") {
          failed.push({ id: entry.id, error: `${result.step}: ${result.message}` });
          continue;
        }
        if (result.kind === "dropped") {
          succeeded.push(entry.id);
          continue;
        }
        record = result.record;
        shape = afterChain;
      } else {
        record = (entry.processed ?? entry.original) as RecordValue;
        shape = entry.processed === undefined ? tapShape : afterChain;
      }
      const schemaLine = serializeMessage({ type: "SCHEMA", stream: shape.stream, schema: shape.schema, key_properties: shape.keyProperties });
      if (lastSchemaSent.get(shape.stream) !== canonicalJson(schemaLine)) {
        lastSchemaSent.set(shape.stream, canonicalJson(schemaLine));
        send(schemaLine);
      }
      send(serializeMessage({ type: "RECORD", stream: shape.stream, record }));
      entryOfLine.set(linesSent, entry.id);
      const marker = { [REPLAY_MARKER]: entry.id };
      entryOfSequence.set(tracker.forward(marker, {}), entry.id);
      send(serializeMessage({ type: "STATE", value: marker }));
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

  let unconfirmed = 0;
  for (const [sequence, id] of entryOfSequence) {
    const rejection = rejectedByTarget.get(id);
    if (rejection !== undefined) failed.push({ id, error: rejection });
    else if (sequence <= confirmedUpTo) succeeded.push(id);
    else unconfirmed += 1;
  }
  await store.recordReplay(succeeded, failed);
  if (error !== undefined) options.logger.error(error);
  return { attempted: replayable.length, succeeded: succeeded.length, failed: failed.length, notReplayable, unconfirmed, error };
}
