import { asAgoraError, type AgoraError } from "../../protocol/index.js";
import type { RunControl } from "../ports.js";

/**
 * A run's writes to the state store (dead letters, checkpoints), applied one
 * after another in the order they were asked for: a dead letter is stored
 * before any checkpoint past its record. The first write that fails stops
 * the rest (no checkpoint may be saved past a lost dead letter) and fails
 * the run, once.
 */
export class StoreWrites {
  private tail: Promise<void> = Promise.resolve();
  private failure: AgoraError | undefined;

  constructor(private readonly run: Pick<RunControl, "fail">) {}

  /** Queues a write. */
  add(write: () => Promise<unknown>): void {
    this.tail = this.tail.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await write();
      } catch (error) {
        this.failure = asAgoraError(error);
        this.run.fail(this.failure);
      }
    });
  }

  /** Resolves once every write queued so far is done (or skipped after a failure). */
  drain(): Promise<void> {
    return this.tail;
  }
}
