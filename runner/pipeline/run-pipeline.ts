import { rmSync } from "node:fs";
import { join } from "node:path";
import { asAgoraError, FatalError, registerConfigSecrets, type AgoraError, type Logger } from "../../protocol/index.js";
import type { TargetBatchFormats } from "../batches/batch-lane.js";
import type { BatchFormatSource } from "../batches/batch-route.js";
import type { CatalogPlan } from "../catalog/plan-catalog.js";
import { rememberNewColumns } from "../catalog/schema-contract.js";
import { RunnerCodes } from "../errors.js";
import { buildMiddleware } from "../middleware/build-middleware.js";
import type { Middleware } from "../middleware/types.js";
import type { Connector, ConnectorExit } from "../process/connector-process.js";
import { waitForExit } from "../process/wait-for-exit.js";
import { leaseLostError } from "../state/lease-fence.js";
import type { SavedCheckpoint } from "../state/types.js";
import { RunTrace, tracedCheckpoints, withTraceId } from "../tracing/run-trace.js";
import { watchIdle, type HangHandler } from "./activity.js";
import { assembleRun, type RunParts } from "./assemble-run.js";
import { GRACE_MS, MessagePump, type InputGate } from "./message-pump.js";
import { describePhase, type RunPhase } from "./run-phase.js";
import { namingConfigOrigins } from "../connector/connector-config.js";
import type { RunControl } from "../ports.js";
import { prepareRunDir } from "./run-dirs.js";
import { RunEvents } from "./run-events.js";
import type { RunOptions } from "./run-options.js";
import { newRunId, recordFailedRun } from "./run-records.js";
import { recordRun } from "./run-result.js";
import { probeBatchFormats } from "../connector/about-cache.js";
import { type ForwardPlan, targetsValidating } from "./forward-plan.js";
import { catalogIgnored, prepareTap, startTap } from "./tap-launch.js";
import { AirbyteDestination } from "../airbyte/airbyte-destination.js";
import { requireInstalled } from "../install/require-installed.js";
import type { TargetChannel } from "./target-channel.js";
import type { TargetExits } from "./target-set.js";
import type { RunResult } from "./types.js";
import type { PipelineDefinition } from "../definition.js";

/**
 * Runs a pipeline once: tap → framing → validation → middleware → every
 * target, with backpressure from the slowest target, checkpoints saved only
 * when every target has confirmed them, and rejected records routed by the
 * pipeline's error policy. Resolves with the run's result; never rejects for
 * a connector's failure (that is a failed run), only for the runner's own.
 */
export async function runPipeline(definition: PipelineDefinition, options: RunOptions): Promise<RunResult> {
  let middleware: readonly Middleware[];
  try {
    requireInstalled([definition.tap, ...definition.targets]);
    middleware = options.middleware ?? (await buildMiddleware(definition.middleware, definition.projectDir, definition.workDir));
  } catch (error) {
    // A connector not installed, or a middleware that cannot be built (a missing module, a bad option), fails this run, recorded like any other.
    return recordFailedRun(definition.name, options.store, asAgoraError(error));
  }
  const saved = options.fullRefresh === true ? undefined : await options.store.getCheckpoint(definition.name);
  return new PipelineRun(definition, { ...options, middleware }, saved).run();
}

/**
 * One run: its parts (assembleRun), the tap, and the loop that pumps the
 * tap's output through the data path. It is what its parts report to: their
 * RunControl (they fail it, or stop it at max_records), BatchFormatSource,
 * the loop's InputGate, the idle watchdog's HangHandler, and the targets'
 * TargetExits.
 */
class PipelineRun implements RunControl, BatchFormatSource, InputGate, HangHandler, TargetExits {
  private readonly runId = newRunId();
  private readonly started = performance.now();
  private readonly logger: Logger;
  private readonly parts: RunParts;
  private readonly events: RunEvents;
  /** The tap's messages through the data path to the targets. */
  private readonly loop: MessagePump;
  private readonly workDir: string;
  private readonly trace: RunTrace;
  private tap: Connector | undefined;
  /** The catalog the tap was handed, if any: a run that reads nothing of it is told why that may be. */
  private catalogPlan: CatalogPlan | undefined;
  /** What BATCH formats each target reads, asked when the first BATCH comes. */
  private targetFormats: Promise<TargetBatchFormats> | undefined;
  private failure: AgoraError | undefined;
  private stopSignal: NodeJS.Signals | undefined;
  private stateGivenUnasked = false;
  /** Which streams' records go to the targets unparsed (decided once the targets' --about is known). */
  private forwarding: ForwardPlan | undefined;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly options: RunOptions,
    private readonly saved: SavedCheckpoint | undefined,
  ) {
    this.trace = new RunTrace(definition.name, this.runId);
    this.logger = withTraceId(options.logger, this.trace.traceId);
    this.workDir = join(definition.workDir, this.runId);
    this.events = options.events ?? new RunEvents();
    this.parts = assembleRun(definition, {
      runId: this.runId,
      checkpoints: tracedCheckpoints(options.store, this.trace),
      deadLetters: options.store,
      logger: this.logger,
      events: this.events,
      middleware: options.middleware ?? [],
      saved: saved?.state,
      fullRefresh: options.fullRefresh === true,
      control: this,
      formats: this,
    });
    this.loop = new MessagePump(this.parts.targets, this.parts.activity, this);
  }

  async run(): Promise<RunResult> {
    const { definition, options } = this;
    const { store } = options;
    const abandoned = await store.markAbandonedRuns(definition.name);
    if (abandoned > 0)
      this.logger.warn(`pipeline ${definition.name}: ${abandoned} earlier run(s) never finished (runner killed?); resuming from the last saved checkpoint`);
    await store.startRun(this.runId, definition.name);
    await prepareRunDir(definition.workDir, this.runId, store);
    const unsubscribe = options.stop?.subscribe((signal) => this.requestStop(signal));
    const fence = options.fence;
    const unwatch = fence === undefined ? undefined : options.lease?.onLost(() => this.fail(leaseLostError(fence, undefined)));
    const stopWatching = watchIdle(this.parts.activity, definition.idleTimeoutSeconds, this);
    try {
      await this.trace.around("agora.tap.start", { "agora.tap": definition.tap.name }, () => this.start());
      await this.trace.around("agora.data_path", { "agora.middleware": definition.middleware.map((step) => step.type) }, async (span) => {
        if (this.tap !== undefined)
          await this.loop.fromTap(
            this.tap,
            this.parts.data,
            { maxLineBytes: definition.maxLineBytes, forward: this.forwarding?.forwardsAny === true ? this.forwarding : undefined },
            this.events,
            this.parts.counts,
          );
        span.setAttributes({ "agora.records_read": this.parts.counts.read.total, "agora.records_dead_lettered": this.parts.router.deadLettered });
      });
    } catch (error) {
      this.fail(asAgoraError(error));
    } finally {
      await this.trace.around("agora.run.finish", {}, async () => {
        await this.finish();
        stopWatching();
        unsubscribe?.();
        unwatch?.();
        await this.parts.chain.close();
        rmSync(this.workDir, { recursive: true, force: true });
      });
    }
    const seconds = (performance.now() - this.started) / 1000;
    const result = await recordRun(definition, this.parts, { runId: this.runId, seconds, failure: this.failure, stopSignal: this.stopSignal }, store);
    this.trace.end(result.status, result.failure);
    return result;
  }

  // RunControl, BatchFormatSource and InputGate, for the run's parts

  /** Done taking the tap's output: the run failed, or max_records was reached. */
  get closed(): boolean {
    return this.failure !== undefined || this.parts.data.stopped;
  }

  fail(error: AgoraError): void {
    if (this.failure !== undefined) return;
    const located = error.where.pipeline === undefined ? error.withLocation({ pipeline: this.definition.name }) : error;
    this.failure = namingConfigOrigins(located, [this.definition.tap, ...this.definition.targets], this.workDir);
    this.tap?.kill("SIGTERM");
  }

  maxRecordsReached(): void {
    this.logger.info(`pipeline ${this.definition.name}: reached max_records (${this.definition.maxRecords}); stopping the tap`);
    this.tap?.kill("SIGTERM");
  }

  /** The BATCH formats each target reads, asked once. */
  batchFormats(): Promise<TargetBatchFormats> {
    this.targetFormats ??= probeBatchFormats(this.definition, this.workDir, this.options.store);
    return this.targetFormats;
  }

  // Starting

  private async start(): Promise<void> {
    const { definition, parts } = this;
    // Credentials in configs are masked wherever they would show: by setting name, and as the tap's --about declares them.
    for (const target of definition.targets) registerConfigSecrets(target.config);
    // Targets start first: they need nothing from the tap, and their start-up overlaps the tap's --about and discovery.
    parts.targets.start(this.workDir, definition);
    this.trace.targetsStarted(definition.targets.map((target) => target.name));
    parts.targets.watchExits(this);
    // A tap configured to write batch files: the targets' batch formats are asked for now, beside the tap's start, not when the first BATCH waits for them.
    if (definition.tap.config !== undefined && Object.hasOwn(definition.tap.config, "batch_config")) this.batchFormats().catch(() => undefined);
    // Asked beside the tap's preparation, and known before its first line: which targets validate records themselves.
    // A target that cannot be asked is taken as one that does not validate: its records are validated here.
    const validating = targetsValidating(definition, parts.chain, this.options.store).catch(() => definition.targets.map(() => false));
    const launch = await prepareTap(definition, {
      store: this.options.store,
      logger: this.logger,
      workDir: this.workDir,
      saved: this.saved,
      refresh: this.options.refreshCatalog,
    });
    this.catalogPlan = launch.catalog;
    parts.contract.use(launch.catalog);
    this.stateGivenUnasked = launch.stateGivenUnasked;
    // Airbyte source to Airbyte destination: each stream keeps its namespace and whole key.
    if (launch.airbyte !== undefined)
      for (const channel of parts.targets.channels) if (channel.process instanceof AirbyteDestination) channel.process.useSourceStreams(launch.airbyte.streams);
    this.forwarding = parts.data.forwardTo(await validating, this.logger);
    // A target that failed while the tap was being prepared (a rejected config): the tap is not started.
    if (this.failure !== undefined) return;
    this.tap = startTap(definition, launch, { logger: this.logger, events: this.events, notes: parts.counts.sourceNotes });
    // A stop asked for while starting: the tap is told at once.
    if (this.stopSignal !== undefined) this.tap.kill("SIGTERM");
  }

  // Stopping

  /** A target exited: a failure, or an exit before the tap finished, fails the run. */
  targetExited(target: TargetChannel, exit: ConnectorExit): void {
    const problem = target.exitProblem(exit, this.tap?.hasExited === true);
    this.trace.targetExited(target.index, exit, problem);
    if (problem !== undefined) this.fail(problem);
  }

  private requestStop(signal: NodeJS.Signals): void {
    if (this.stopSignal !== undefined) {
      // A second signal: stop now, without waiting for anyone.
      this.tap?.kill("SIGKILL");
      this.parts.targets.kill("SIGKILL");
      return;
    }
    this.stopSignal = signal;
    this.logger.warn(
      `pipeline ${this.definition.name}: ${signal} received; stopping the tap and saving what the targets confirm (send it again to kill everything now)`,
    );
    this.tap?.kill("SIGTERM");
  }

  /** No progress for the idle timeout: a connector seems hung; what the run waits on is killed. */
  hung(idleSeconds: number, phase: RunPhase): void {
    if (this.failure !== undefined) return;
    this.fail(
      new FatalError(RunnerCodes.CONNECTOR_HUNG, `no progress for ${idleSeconds} s while waiting for ${describePhase(phase)}`, {
        hint: "A connector seems hung: check its logs above, or raise idle_timeout_seconds if it is just slow.",
      }),
    );
    this.tap?.kill("SIGKILL");
    // Stuck on a target (its pipe full, or it never exits): kill the targets too.
    if (phase.kind !== "reading_tap" && phase.kind !== "tap_exiting") this.parts.targets.kill("SIGKILL");
  }

  // Ending

  private async finish(): Promise<void> {
    const { parts, definition } = this;
    await this.awaitTap();
    // Targets write and confirm what they received, also after a failure: that is what makes resuming lose nothing.
    parts.activity.enter({ kind: "targets_finishing" });
    // Writing the last batch takes what it takes: at least the grace the tap gets, whatever the idle timeout.
    await parts.targets.end(Math.max(GRACE_MS, definition.idleTimeoutSeconds * 1000));
    // A full refresh saves its checkpoint only now, and only if nothing went wrong.
    if (this.failure === undefined && this.stopSignal === undefined) parts.checkpoint.commitDeferred();
    // Every confirmation is in: the checkpoints and dead letters it queued are written before the run is recorded.
    await parts.writes.drain();
    await rememberNewColumns(this.options.store, this.catalogPlan, parts.contract, definition.name).catch((error: unknown) =>
      this.logger.warn(
        `pipeline ${definition.name}: could not add the new columns to the cached catalog (${asAgoraError(error).message}); the next run finds them again`,
      ),
    );
    // Connectors' error lines no failure of the run reported are said now, once.
    this.tap?.releaseHeldErrors();
    for (const channel of parts.targets.channels) channel.process.releaseHeldErrors();
    if (this.failure === undefined) parts.checkpoint.warnIfUnconfirmed();
    if (this.failure === undefined && this.stopSignal === undefined) {
      const ignored = catalogIgnored(definition, this.catalogPlan, parts.counts.read.total, parts.streams, this.logger);
      if (ignored !== undefined) this.fail(ignored);
    }
  }

  /** Waits for the tap to exit; one that fails where no stop was asked fails the run. */
  private async awaitTap(): Promise<void> {
    const tap = this.tap;
    if (tap === undefined) return;
    this.parts.activity.enter({ kind: "tap_exiting" });
    const exit = await waitForExit(tap, GRACE_MS);
    if (this.stopSignal !== undefined || this.parts.data.stopped || this.failure !== undefined) return;
    const problem = tap.describeFailure(exit, "before finishing its output");
    if (problem === undefined) return;
    this.fail(
      this.stateGivenUnasked
        ? problem.withHint(
            "It was given --state with the saved checkpoint (it has no --about to say whether it can resume); if it does not take --state, set resume = false on the pipeline or run with --no-resume.",
          )
        : problem,
    );
  }
}
