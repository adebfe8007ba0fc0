import { asAgoraError, ConfigError, exitCodeForSignal, type Logger } from "../../protocol/index.js";
import { executePipeline, type RunSlot } from "../execute-pipeline.js";
import { logProgressEvery } from "../pipeline/progress-log.js";
import { RunEvents } from "../pipeline/run-events.js";
import type { RunResult } from "../pipeline/types.js";
import { failedBeforeStart, recordFailedRun } from "../pipeline/run-records.js";
import { summaryLine } from "../pipeline/run-summary.js";
import { StopRequests } from "../pipeline/stop-requests.js";
import type { Project } from "../project/project-types.js";
import { resolvePipeline } from "../project/resolve-pipeline.js";
import { holderId } from "../scheduler/lease.js";
import { parseSchedule } from "../scheduler/schedule.js";
import { ScheduledPipeline, type Attempt, type Settled } from "../scheduler/scheduled-pipeline.js";
import type { StateStore } from "../state/interfaces.js";
import { consoleLine, oneTimeToken } from "../console/console-address.js";
import { WebConsole } from "../console/web-console.js";
import { HealthServer } from "./health-server.js";
import { WorkerMetrics } from "./metrics.js";
import { Semaphore } from "./semaphore.js";
import { RunnerCodes } from "../errors.js";

export interface WorkerSettings {
  readonly concurrency: number;
  readonly healthPort: number | undefined;
  readonly healthHost: string;
  readonly token: string | undefined;
  readonly gracefulShutdownSeconds: number;
  readonly leaseSeconds: number;
  /** A progress line of each running pipeline this often (0: none). */
  readonly progressIntervalSeconds: number;
  /** Stream labels a pipeline's metrics get; the rest are "(other)". */
  readonly metricsMaxStreams: number;
  /** Serve the web console on the health port. */
  readonly console: boolean;
  readonly consoleReadOnly: boolean;
}

/** True for an address only this machine can reach. */
function isLoopback(address: string): boolean {
  return address === "::1" || address === "localhost" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/** The worker's settings: the command line over pipelines.toml's [worker] over defaults. */
export function workerSettings(project: Project, overrides: Partial<WorkerSettings>): WorkerSettings {
  const entry = project.worker;
  const token = overrides.token ?? process.env["AGORA_HEALTH_AUTH_TOKEN"];
  // An empty token would quietly turn authentication off: refuse it rather than guess.
  if (token !== undefined && token.trim() === "") {
    throw new ConfigError(
      RunnerCodes.HEALTH_TOKEN_EMPTY,
      `the health token is empty (${overrides.token === undefined ? "AGORA_HEALTH_AUTH_TOKEN" : "--health-token"})`,
      {
        hint: "Set a token, or unset AGORA_HEALTH_AUTH_TOKEN and drop --health-token to serve without one.",
      },
    );
  }
  return {
    concurrency: overrides.concurrency ?? entry.concurrency,
    healthPort: overrides.healthPort ?? entry.health_port,
    healthHost: overrides.healthHost ?? entry.health_host,
    token,
    gracefulShutdownSeconds: overrides.gracefulShutdownSeconds ?? entry.graceful_shutdown_timeout_seconds,
    leaseSeconds: overrides.leaseSeconds ?? entry.lease_seconds,
    progressIntervalSeconds: overrides.progressIntervalSeconds ?? entry.progress_interval_seconds,
    metricsMaxStreams: overrides.metricsMaxStreams ?? entry.metrics_max_streams,
    console: overrides.console ?? entry.console,
    consoleReadOnly: overrides.consoleReadOnly ?? entry.console_read_only,
  };
}

/** The project's pipelines that have a schedule, ready to loop. */
export function scheduledPipelines(project: Project, logger: Logger): ScheduledPipeline[] {
  return Object.entries(project.pipelines).flatMap(([name, entry]) => {
    const spec = entry.schedule;
    if (spec === undefined) return [];
    const policy = {
      maxConsecutiveErrors: spec.max_consecutive_errors,
      errorBackoffSeconds: spec.error_backoff_seconds,
      errorBackoffMaxSeconds: spec.error_backoff_max_seconds,
    };
    return [new ScheduledPipeline(name, parseSchedule(spec, `pipelines.${name}.schedule`), policy, logger)];
  });
}

/**
 * `agora worker`: every scheduled pipeline of the project in one process,
 * up to `concurrency` at once, each run holding the pipeline's lease in the
 * state store (so two workers never run the same pipeline together), with
 * an optional health server. On SIGINT/SIGTERM it stops scheduling, wakes
 * sleeping pipelines, closes the health server, lets running pipelines
 * finish for the graceful timeout, then stops them the runner's safe way.
 * Resolves with the exit code.
 */
export class Worker {
  private readonly pipelines: ScheduledPipeline[];
  private readonly metrics: WorkerMetrics;
  private readonly running = new Map<string, StopRequests>();
  private readonly holder = holderId();
  private readonly startedAt = new Date();
  private health: HealthServer | undefined;
  private console: WebConsole | undefined;
  private shutdownSignal: NodeJS.Signals | undefined;

  constructor(
    private readonly project: Project,
    private readonly store: StateStore,
    private readonly settings: WorkerSettings,
    private readonly logger: Logger,
  ) {
    this.pipelines = scheduledPipelines(project, logger);
    this.metrics = new WorkerMetrics(
      store,
      this.pipelines.map((pipeline) => pipeline.name),
      settings.metricsMaxStreams,
    );
  }

  /** The health server's address once it listens. */
  address: { host: string; port: number } | undefined;

  async run(stop: StopRequests): Promise<number> {
    if (this.pipelines.length === 0) {
      this.logger.warn("no pipeline has a schedule: nothing to do (add [pipelines.NAME.schedule])");
      return 0;
    }
    if (this.settings.healthPort !== undefined) {
      const consoleToken = this.settings.console ? (this.settings.token ?? oneTimeToken()) : undefined;
      if (consoleToken !== undefined) this.console = this.webConsole(consoleToken);
      this.health = new HealthServer(
        { health: () => this.healthDocument(), ready: () => this.isReady(), metrics: this.metrics.registry },
        this.settings.token,
        this.console,
      );
      const address = await this.health.listen(this.settings.healthPort, this.settings.healthHost);
      this.address = { host: address.address, port: address.port };
      this.logger.info(
        `health server on http://${address.address}:${address.port} (/health, /ready, /metrics${this.settings.token === undefined ? "" : "; bearer token required"})`,
      );
      if (consoleToken !== undefined) this.logger.info(consoleLine(address, this.settings.token === undefined ? consoleToken : undefined));
      if (this.settings.token === undefined && !isLoopback(address.address)) {
        this.logger.warn(
          `the health server listens on ${address.address} without a token: anyone who can reach it sees run history and errors (set AGORA_HEALTH_AUTH_TOKEN)`,
        );
      }
    }
    const unsubscribe = stop.subscribe((signal) => void this.shutdown(signal));
    const semaphore = new Semaphore(this.settings.concurrency);
    this.logger.info(`worker ${this.holder}: ${this.pipelines.map((pipeline) => `${pipeline.name} (${pipeline.schedule.description})`).join(", ")}`);
    await Promise.all(
      this.pipelines.map((pipeline) =>
        pipeline.loop(
          (settle) => this.attempt(pipeline, semaphore, settle),
          (result) => this.metrics.recordRun(result, pipeline.consecutiveErrors),
          // Another worker has it: look again within a third of a lease, so one that died is taken over soon after its lease runs out.
          Math.max(1000, (this.settings.leaseSeconds * 1000) / 3),
        ),
      ),
    );
    unsubscribe();
    await this.health?.close();
    this.console?.close();
    if (this.shutdownSignal !== undefined) return exitCodeForSignal(this.shutdownSignal);
    return this.pipelines.some((pipeline) => pipeline.state === "stopped") ? 1 : 0;
  }

  /**
   * One run of a pipeline, if it is still due across the fleet (the store
   * says when it is due, and the worker that runs it records the next time,
   * both under the pipeline's lease). Never throws: whatever goes wrong (its
   * entry in pipelines.toml, its middleware, the runner itself) becomes a
   * failed run of this pipeline alone, recorded with its error's code and
   * kind, and the worker and its other pipelines go on.
   */
  private async attempt(pipeline: ScheduledPipeline, semaphore: Semaphore, settle: (result: RunResult) => Settled): Promise<Attempt> {
    const name = pipeline.name;
    await semaphore.acquire();
    const requests = new StopRequests();
    let settled = false;
    const slot: RunSlot = {
      notDueUntil: () => this.notDueUntil(pipeline),
      settle: async (result, store) => {
        settled = true;
        const outcome = settle(result);
        // A pipeline stopped here is left due: another worker tries it (and stops it too if it must).
        // A `once` pipeline that is done records when it ran: workers started before that skip it, a later start runs it again.
        if (outcome.kind === "stopped") return;
        try {
          await store.setNextRun(name, { at: (outcome.kind === "next" ? outcome.at : new Date()).toISOString(), schedule: pipeline.schedule.description });
        } catch (thrown) {
          // The run itself is over and recorded as far as the store allowed: its summary (and why it failed) is still said below.
          this.logger.warn(`could not record when pipeline ${name} is due next, so another worker may run it before then: ${asAgoraError(thrown).message}`);
        }
      },
    };
    try {
      if (this.shutdownSignal !== undefined) return { kind: "busy", holder: undefined };
      this.running.set(name, requests);
      const definition = resolvePipeline(this.project, name);
      const events = new RunEvents();
      const interval = this.settings.progressIntervalSeconds;
      const stopProgressLog = interval > 0 ? logProgressEvery(events, interval, name, this.logger) : undefined;
      const untrack = this.console?.feed.track(name, events);
      const execution = await executePipeline(
        definition,
        { kind: "sync", slot, events },
        { store: this.store, logger: this.logger, holder: this.holder, leaseSeconds: this.settings.leaseSeconds, stop: requests },
      ).finally(() => {
        stopProgressLog?.();
        untrack?.();
      });
      if (execution.kind === "busy") return { kind: "busy", holder: execution.holder };
      if (execution.kind === "not_due") return execution;
      const summary = summaryLine(execution.result).replace(/\n/g, " ");
      if (execution.result.status === "failed") this.logger.error(summary);
      else this.logger.info(summary);
      return { kind: "ran", result: execution.result };
    } catch (thrown) {
      const error = asAgoraError(thrown);
      this.logger.error(error.withLocation({ pipeline: name }).toUserLine());
      let result: RunResult;
      try {
        result = await recordFailedRun(name, this.store, error);
      } catch {
        // The store itself failed: the run cannot be recorded, but the pipeline still counts the failure.
        result = failedBeforeStart(name, "-", error);
      }
      if (!settled) settle(result);
      return { kind: "ran", result };
    } finally {
      this.running.delete(name);
      semaphore.release();
    }
  }

  /**
   * Undefined if the pipeline is due now across the fleet, else when it is
   * (null: not again). A changed schedule is due at once. A `once` pipeline
   * is done for this worker if any worker ran it since this one started.
   */
  private async notDueUntil(pipeline: ScheduledPipeline): Promise<Date | null | undefined> {
    const next = await this.store.getNextRun(pipeline.name);
    if (next === undefined || next.schedule !== pipeline.schedule.description || next.at === undefined) return undefined;
    const at = new Date(next.at);
    if (pipeline.schedule.once) return at.getTime() >= this.startedAt.getTime() ? null : undefined;
    return at.getTime() > Date.now() ? at : undefined;
  }

  private async shutdown(signal: NodeJS.Signals): Promise<void> {
    if (this.shutdownSignal !== undefined) {
      // A second signal: stop the running pipelines now.
      for (const requests of this.running.values()) requests.request(signal);
      return;
    }
    this.shutdownSignal = signal;
    this.logger.warn(`${signal} received: no new runs; waiting up to ${this.settings.gracefulShutdownSeconds} s for ${this.running.size} running pipeline(s)`);
    for (const pipeline of this.pipelines) pipeline.shutdown();
    await this.health?.close();
    this.health = undefined;
    const timer = setTimeout(() => {
      if (this.running.size > 0)
        this.logger.warn(`graceful shutdown timeout: stopping ${[...this.running.keys()].join(", ")} (confirmed checkpoints are kept)`);
      for (const requests of this.running.values()) requests.request(signal);
    }, this.settings.gracefulShutdownSeconds * 1000);
    timer.unref();
  }

  /** The console over this worker: its pipelines' states come from the scheduler. */
  private webConsole(token: string): WebConsole {
    const scheduled = new Map(this.pipelines.map((pipeline) => [pipeline.name, pipeline]));
    return new WebConsole(
      {
        project: this.project,
        scheduled,
        store: this.store,
        scheduler: { status: (name) => scheduled.get(name)?.status() },
        logger: this.logger,
        readOnly: this.settings.consoleReadOnly,
      },
      token,
    );
  }

  private isReady(): boolean {
    return this.shutdownSignal === undefined && this.pipelines.every((pipeline) => pipeline.state !== "stopped");
  }

  private async healthDocument(): Promise<unknown> {
    const pipelines: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const pipeline of this.pipelines) {
      const saved = await this.store.getCheckpoint(pipeline.name);
      pipelines[pipeline.name] = {
        ...pipeline.status(),
        // Which worker (host:pid:…) runs it now, this one or another sharing the store.
        heldBy: (await this.store.leaseHolder(pipeline.name)) ?? null,
        lastCheckpointAgeSeconds: saved === undefined ? null : Math.round((Date.now() - Date.parse(saved.updatedAt)) / 1000),
      };
    }
    return {
      status: this.isReady() ? "ok" : this.shutdownSignal !== undefined ? "shutting_down" : "degraded",
      worker: { id: this.holder, startedAt: this.startedAt.toISOString() },
      pipelines,
    };
  }
}
