import type { Logger } from "../../protocol/index.js";
import type { RunResult } from "../pipeline/types.js";
import { backoffSeconds, type Schedule } from "./schedule.js";

export type PipelineState = "waiting" | "running" | "backing_off" | "stopped" | "done";

export interface SchedulePolicy {
  readonly maxConsecutiveErrors: number;
  readonly errorBackoffSeconds: number;
  readonly errorBackoffMaxSeconds: number;
}

/** One attempt to run: a finished run, or "busy" when another process holds the pipeline's lease. */
export type Attempt = { readonly kind: "ran"; readonly result: RunResult } | { readonly kind: "busy"; readonly holder: string | undefined };

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
    return { state: this.state, schedule: this.schedule.description, nextRun: this.nextRun?.toISOString(), consecutiveErrors: this.consecutiveErrors, lastRun: this.lastRun };
  }

  /** Wakes a sleeping loop and ends it after the current run. */
  shutdown(): void {
    this.shuttingDown = true;
    this.wake?.();
  }

  /** The pipeline's loop: until done, stopped, or shut down. `attempt` runs it once (the worker adds leases and limits). */
  async loop(attempt: () => Promise<Attempt>, onRun: (result: RunResult) => void): Promise<void> {
    this.nextRun = this.schedule.first(new Date());
    while (!this.shuttingDown) {
      await this.sleepUntil(this.nextRun);
      if (this.shuttingDown) break;
      this.state = "running";
      const outcome = await attempt();
      if (outcome.kind === "busy") {
        // Another worker runs it now; look again shortly.
        this.state = "waiting";
        this.nextRun = new Date(Date.now() + 1000);
        continue;
      }
      const { result } = outcome;
      this.lastRun = { id: result.runId, status: result.status, endedAt: new Date().toISOString(), error: result.error };
      if (result.status === "failed") {
        this.consecutiveErrors += 1;
        onRun(result);
        if (needsAFix(result)) {
          // Retrying cannot help a wrong pipelines.toml, a missing module or a rejected config: stop now, and say why.
          this.state = "stopped";
          this.nextRun = undefined;
          this.logger.error(`pipeline ${this.name} stopped: ${result.failure?.message ?? result.error ?? "its configuration is wrong"} (not retried: fix the configuration, then restart the worker)`);
          return;
        }
        if (this.consecutiveErrors >= this.policy.maxConsecutiveErrors) {
          this.state = "stopped";
          this.nextRun = undefined;
          this.logger.error(`pipeline ${this.name} stopped after ${this.consecutiveErrors} consecutive failed runs; fix it and restart the worker (last error: ${result.error ?? "unknown"})`);
          return;
        }
        const wait = backoffSeconds(this.consecutiveErrors, this.policy.errorBackoffSeconds, this.policy.errorBackoffMaxSeconds);
        this.state = "backing_off";
        this.nextRun = new Date(Date.now() + wait * 1000);
        this.logger.warn(`pipeline ${this.name} failed (${this.consecutiveErrors} in a row); next try in ${wait.toFixed(1)} s`);
        continue;
      }
      if (result.status === "succeeded") this.consecutiveErrors = 0;
      onRun(result);
      if (this.shuttingDown) break;
      this.nextRun = this.schedule.next(new Date());
      if (this.nextRun === undefined) {
        this.state = "done";
        return;
      }
      this.state = "waiting";
    }
    if (this.state !== "stopped") this.state = "done";
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
