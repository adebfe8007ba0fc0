import type { Logger } from "../../protocol/index.js";
import type { RunResult } from "../pipeline/types.js";
import { backoffSeconds, type Schedule } from "./schedule.js";

export type PipelineState = "waiting" | "running" | "backing_off" | "stopped" | "done";

export interface SchedulePolicy {
  readonly maxConsecutiveErrors: number;
  readonly errorBackoffSeconds: number;
  readonly errorBackoffMaxSeconds: number;
}

/**
 * One attempt to run: a finished run; "busy" when another process holds the
 * pipeline's lease; "not_due" when another worker already ran this due time
 * (with when it is due next, null for never).
 */
export type Attempt =
  | { readonly kind: "ran"; readonly result: RunResult }
  | { readonly kind: "busy"; readonly holder: string | undefined }
  | { readonly kind: "not_due"; readonly next: Date | null };

/** What follows a run: the next due time, or the end of the loop (stopped by failures, or done). */
export type Settled = { readonly kind: "next"; readonly at: Date } | { readonly kind: "stopped" } | { readonly kind: "done" };

/** True for a failed run that only a change of configuration can fix. */
export function needsAFix(result: RunResult): boolean {
  return result.failure?.kind === "config" || result.failure?.kind === "usage";
}

/** What /health shows of a pipeline. */
export interface PipelineStatus {
  readonly state: PipelineState;
  readonly schedule: string;
  readonly nextRun: string | undefined;
  readonly consecutiveErrors: number;
  readonly lastRun: { id: string; status: string; endedAt: string; error: string | undefined } | undefined;
}

/**
 * A pipeline on a schedule: waits until it is due, runs, and works out the
 * next run. What a failure does depends on its kind: a usage or config error
 * stops the pipeline at once (retrying cannot fix it); any other backs off
 * exponentially (capped, with jitter) and, after `maxConsecutiveErrors`
 * failures in a row, stops it. A success resets the count. Sleeps wake at
 * once when the worker shuts down.
 */
export class ScheduledPipeline {
  state: PipelineState = "waiting";
  nextRun: Date | undefined;
  consecutiveErrors = 0;
  lastRun: PipelineStatus["lastRun"];
  private wake: (() => void) | undefined;
  private shuttingDown = false;

  constructor(
    readonly name: string,
    readonly schedule: Schedule,
    private readonly policy: SchedulePolicy,
    private readonly logger: Logger,
  ) {}

  status(): PipelineStatus {
    return {
      state: this.state,
      schedule: this.schedule.description,
      nextRun: this.nextRun?.toISOString(),
      consecutiveErrors: this.consecutiveErrors,
      lastRun: this.lastRun,
    };
  }

  /** Wakes a sleeping loop and ends it after the current run. */
  shutdown(): void {
    this.shuttingDown = true;
    this.wake?.();
  }

  /**
   * The pipeline's loop: until done, stopped, or shut down. `attempt` runs
   * it once (the worker adds leases, limits and the fleet's schedule) and
   * calls `settle` with the result while it still holds the lease, so the
   * next due time is recorded before another worker can look.
   */
  async loop(attempt: (settle: (result: RunResult) => Settled) => Promise<Attempt>, onRun: (result: RunResult) => void, busyRecheckMs = 1000): Promise<void> {
    this.nextRun = this.schedule.first(new Date());
    while (!this.shuttingDown) {
      await this.sleepUntil(this.nextRun);
      if (this.shuttingDown) break;
      this.state = "running";
      const outcome = await attempt((result) => this.settle(result));
      if (outcome.kind === "busy") {
        // Another worker runs it now; look again later (by then it has recorded when it is due next, or its lease ran out).
        this.state = "waiting";
        this.nextRun = new Date(Date.now() + busyRecheckMs);
        continue;
      }
      if (outcome.kind === "not_due") {
        if (outcome.next === null) break;
        this.state = "waiting";
        this.nextRun = outcome.next;
        continue;
      }
      onRun(outcome.result);
      // settle() has run by now and may have ended the loop.
      const settledState = this.state as PipelineState;
      if (settledState === "stopped" || settledState === "done") return;
    }
    if (this.state !== "stopped") this.state = "done";
  }

  /**
   * Takes a finished run into account: what a failure of its kind does
   * (stop, or back off), and when the pipeline is due next.
   */
  settle(result: RunResult): Settled {
    this.lastRun = { id: result.runId, status: result.status, endedAt: new Date().toISOString(), error: result.failure?.message };
    if (result.status === "failed") {
      this.consecutiveErrors += 1;
      if (needsAFix(result)) {
        // Retrying cannot help a wrong pipelines.toml, a missing module or a rejected config: stop now, and say why.
        this.state = "stopped";
        this.nextRun = undefined;
        this.logger.error(
          `pipeline ${this.name} stopped: ${result.failure?.message ?? "its configuration is wrong"} (not retried: fix the configuration, then restart the worker)`,
        );
        return { kind: "stopped" };
      }
      if (this.consecutiveErrors >= this.policy.maxConsecutiveErrors) {
        this.state = "stopped";
        this.nextRun = undefined;
        this.logger.error(
          `pipeline ${this.name} stopped after ${this.consecutiveErrors} consecutive failed runs; fix it and restart the worker (last error: ${result.failure?.message ?? "unknown"})`,
        );
        return { kind: "stopped" };
      }
      const wait = backoffSeconds(this.consecutiveErrors, this.policy.errorBackoffSeconds, this.policy.errorBackoffMaxSeconds);
      this.state = "backing_off";
      this.nextRun = new Date(Date.now() + wait * 1000);
      this.logger.warn(
        `pipeline ${this.name} failed (${this.consecutiveErrors} in a row${result.failure === undefined ? "" : `, ${result.failure.code}`}); next try in ${wait.toFixed(1)} s`,
      );
      return { kind: "next", at: this.nextRun };
    }
    if (result.status === "succeeded") this.consecutiveErrors = 0;
    // A run stopped by a shutdown is due again at once: another worker takes it.
    const next = result.status === "stopped" ? new Date() : this.schedule.next(new Date());
    this.nextRun = next;
    if (next === undefined) {
      this.state = "done";
      return { kind: "done" };
    }
    this.state = this.shuttingDown ? "done" : "waiting";
    return { kind: "next", at: next };
  }

  private sleepUntil(when: Date | undefined): Promise<void> {
    const delay = when === undefined ? 0 : when.getTime() - Date.now();
    if (delay <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.min(delay, 2 ** 31 - 1));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
