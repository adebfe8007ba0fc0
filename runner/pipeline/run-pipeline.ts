import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  type AgoraError,
  asAgoraError,
  ConfigError,
  FatalError,
  MessageParser,
  type DeadLetterMessage,
  type Logger,
  type MessageLine,
} from "../../protocol/index.js";
import { catalogArgs, planCatalog, type CatalogPlan } from "../catalog/plan-catalog.js";
import { rememberNewColumns, SchemaContract } from "../catalog/schema-contract.js";
import { DeadLetterRouter, type RejectedRecord } from "../dlq/dead-letter-router.js";
import { RunnerCodes } from "../errors.js";
import { buildMiddleware } from "../middleware/build-middleware.js";
import { MiddlewareChain } from "../middleware/chain.js";
import type { Middleware } from "../middleware/types.js";
import { ConnectorProcess, type ConnectorExit } from "../process/connector-process.js";
import { waitForExit } from "../process/wait-for-exit.js";
import type { StateStore } from "../state/interfaces.js";
import type { RunFailure, RunProgress, SavedCheckpoint, TargetProgress } from "../state/types.js";
import { leaseLostError, type LeaseFence } from "../state/lease-fence.js";
import type { LeaseWatch } from "../scheduler/lease.js";
import type { Span } from "@opentelemetry/api";
import { failed, RunTrace, tracedCheckpoints, withTraceId } from "../tracing/run-trace.js";
import { CheckpointKeeper } from "./checkpoint-keeper.js";
import { progressAt } from "./checkpoint-tracker.js";
import { argsWithConfig, configFileOf } from "./connector-config.js";
import { settingLine } from "../project/setting-line.js";
import { DataPath } from "./data-path.js";
import { describePhase, type RunPhase } from "./run-phase.js";
import { RunEvents } from "./run-events.js";
import { maskSecrets, registerConfigSecrets } from "../../protocol/index.js";
import { prepareRunDir } from "./run-dirs.js";
import { newRunId, recordFailedRun } from "./run-records.js";
import { StoreWrites } from "./store-writes.js";
import type { StopRequests } from "./stop-requests.js";
import { batchFormatsOf, stateArgs } from "./tap-capabilities.js";
import { aboutTapCached } from "./about-cache.js";
import { BatchFileLedger } from "../batches/batch-file-ledger.js";
import type { TargetBatchFormats } from "../batches/batch-lane.js";
import type { TargetChannel } from "./target-channel.js";
import { TargetSet } from "./target-set.js";
import type { ConnectorDefinition, PipelineDefinition, RunResult, TargetBatchCounts } from "./types.js";

export interface RunOptions {
  readonly store: StateStore;
  readonly logger: Logger;
  /** Built middleware for the pipeline's chain, in order (default: built from the definition). */
  readonly middleware?: readonly Middleware[];
  /** Stop requests (signals): the first stops the run the safe way, a second kills everything. */
  readonly stop?: StopRequests;
  /** Where the run publishes its progress, checkpoints, rejections and phases. */
  readonly events?: RunEvents;
  /** Ignore the saved checkpoint (the tap starts from the beginning); save the new one only if the run succeeds. */
  readonly fullRefresh?: boolean;
  /** Run the tap's --discover again instead of using the cached catalog. */
  readonly refreshCatalog?: boolean;
  /** The lease the run holds, and its fence: a lease found lost fails the run with LEASE_LOST. */
  readonly lease?: LeaseWatch;
  readonly fence?: LeaseFence;
}

const GRACE_MS = 10_000;

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
    middleware = options.middleware ?? (await buildMiddleware(definition.middleware, definition.projectDir, definition.workDir));
  } catch (error) {
    // A middleware that cannot be built (a missing module, a bad option) fails this run, recorded like any other.
    return recordFailedRun(definition.name, options.store, asAgoraError(error));
  }
  const saved = options.fullRefresh === true ? undefined : await options.store.getCheckpoint(definition.name);
  return new PipelineRun(definition, { ...options, middleware }, saved).run();
}

class PipelineRun {
  private readonly runId = newRunId();
  private readonly started = performance.now();
  private readonly logger: Logger;
  private readonly store: StateStore;
  private readonly writes: StoreWrites;
  private readonly events: RunEvents;
  private readonly chain: MiddlewareChain;
  private readonly checkpoint: CheckpointKeeper;
  /** Batch files sent, removed once the STATE after them is confirmed. */
  private readonly batchFiles: BatchFileLedger;
  /** What BATCH formats each target reads, asked when the first BATCH comes. */
  private targetFormats: Promise<TargetBatchFormats> | undefined;
  private readonly router: DeadLetterRouter;
  private readonly data: DataPath;
  private readonly workDir: string;
  private targets: TargetSet | undefined;
  private tap: ConnectorProcess | undefined;
  /** The catalog the tap was handed, if any: a run that reads nothing of it is told why that may be. */
  private catalogPlan: CatalogPlan | undefined;
  /** The tap's SCHEMAs against that catalog: what columns the source gained, and what the run does with them. */
  private readonly contract: SchemaContract;
  private failure: AgoraError | undefined;
  private stopSignal: NodeJS.Signals | undefined;
  private lastActivity = Date.now();
  private phase: RunPhase = { kind: "reading_tap" };
  private readonly trace: RunTrace;
  /** Each target's span, from its start to its exit. */
  private targetSpans: Array<Span | undefined> = [];
  private stateGivenUnasked = false;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly options: RunOptions,
    private readonly saved: SavedCheckpoint | undefined,
  ) {
    this.trace = new RunTrace(definition.name, this.runId);
    this.logger = withTraceId(options.logger, this.trace.traceId);
    this.store = options.store;
    this.writes = new StoreWrites((error) => this.fail(error));
    this.events = options.events ?? new RunEvents();
    this.chain = new MiddlewareChain(options.middleware ?? []);
    this.batchFiles = new BatchFileLedger((message) => this.logger.warn(`pipeline ${definition.name}: ${message}`));
    this.checkpoint = new CheckpointKeeper(
      definition.targets.length,
      tracedCheckpoints(this.store, this.trace),
      this.writes,
      definition.name,
      this.runId,
      this.logger,
      saved?.state,
      (state, written, sequence) => {
        this.batchFiles.confirmed(sequence);
        this.events.emit("checkpoint", state, written);
      },
    );
    if (options.fullRefresh === true) this.checkpoint.deferSaves();
    this.workDir = join(definition.workDir, this.runId);
    this.router = new DeadLetterRouter(definition.onError, this.store, this.writes, definition.name, this.runId, () => this.checkpoint.value, this.logger);
    this.contract = new SchemaContract(definition.schemaChanges, definition.catalog, definition.name, this.logger);
    this.data = new DataPath(
      definition,
      this.chain,
      {
        queue: (line, to) => {
          this.targets?.queue(line, to);
        },
        fail: (error) => this.fail(error),
        forwardingState: (value, delivered, sentTo) => this.batchFiles.stateForwarded(this.checkpoint.forward(value, delivered, sentTo)),
        reject: (rejected, line) => this.reject(rejected, line),
        batchFormats: () => this.batchFormats(),
        batchFilesSent: (paths) => this.batchFiles.sent(paths),
        maxRecordsReached: () => {
          this.logger.info(`pipeline ${this.definition.name}: reached max_records (${this.definition.maxRecords}); stopping the tap`);
          this.tap?.kill("SIGTERM");
        },
      },
      { contract: this.contract },
    );
  }

  async run(): Promise<RunResult> {
    const { definition, store } = this;
    const abandoned = await store.markAbandonedRuns(definition.name);
    if (abandoned > 0)
      this.logger.warn(`pipeline ${definition.name}: ${abandoned} earlier run(s) never finished (runner killed?); resuming from the last saved checkpoint`);
    await store.startRun(this.runId, definition.name);
    await prepareRunDir(definition.workDir, this.runId, store);
    const unsubscribe = this.options.stop?.subscribe((signal) => this.requestStop(signal));
    const fence = this.options.fence;
    const unwatch = fence === undefined ? undefined : this.options.lease?.onLost(() => this.fail(leaseLostError(fence, undefined)));
    const watchdog = setInterval(() => this.checkIdle(), Math.min(1000, definition.idleTimeoutSeconds * 250));
    try {
      await this.trace.around("agora.tap.start", { "agora.tap": definition.tap.name }, () => this.start());
      await this.trace.around("agora.data_path", { "agora.middleware": this.definition.middleware.map((step) => step.type) }, async (span) => {
        await this.pump();
        span.setAttributes({ "agora.records_read": this.data.read.total, "agora.records_dead_lettered": this.router.deadLettered });
      });
    } catch (error) {
      this.fail(asAgoraError(error));
    } finally {
      await this.trace.around("agora.run.finish", {}, async () => {
        await this.finish();
        clearInterval(watchdog);
        unsubscribe?.();
        unwatch?.();
        await this.chain.close();
        rmSync(this.workDir, { recursive: true, force: true });
      });
      for (const span of this.targetSpans) span?.end();
    }
    return await this.result();
  }

  // Starting

  private async start(): Promise<void> {
    const { definition } = this;
    // Credentials in configs are masked wherever they would show: by setting name, and as the tap's --about declares them.
    for (const target of definition.targets) registerConfigSecrets(target.config);
    // Targets start first: they need nothing from the tap, and their start-up overlaps the tap's --about and discovery.
    this.targets = new TargetSet(
      definition.targets,
      this.workDir,
      {
        isSentState: (value) => this.checkpoint.recognises(value),
        onState: (i, value) => this.onConfirmed(i, value),
        onDeadLetter: (i, message) => this.onTargetDeadLetter(i, message),
      },
      this.logger,
    );
    this.targetSpans = definition.targets.map((target) => this.trace.stage("agora.target", { "agora.target": target.name }));
    this.targets.onExit((target, exit) => this.onTargetExit(target, exit));
    const configArgs = this.withConfig(definition.tap);
    // A tap configured to write batch files: the targets' batch formats are asked for now, beside the tap's start, not when the first BATCH waits for them.
    if (definition.tap.config !== undefined && Object.hasOwn(definition.tap.config, "batch_config")) this.batchFormats().catch(() => undefined);
    const about = await aboutTapCached(definition.tap, configArgs, this.store, definition.name);
    registerConfigSecrets(definition.tap.config, about.settings);
    const catalog = await planCatalog(definition, { cache: this.store, logger: this.logger, configArgs, about, refresh: this.options.refreshCatalog });
    if (catalog !== undefined) for (const warning of catalog.warnings) this.logger.warn(`pipeline ${definition.name}: ${warning}`);
    this.catalogPlan = catalog;
    this.contract.use(catalog);
    if (catalog === undefined && definition.schemaChanges !== "evolve") {
      this.logger.warn(
        `pipeline ${definition.name}: schema_changes = "${definition.schemaChanges}" has nothing to compare with: the tap runs without a catalog (it does not claim discovery, or discover = false)`,
      );
    }
    const tapArgs = [
      ...configArgs,
      ...(catalog === undefined ? [] : catalogArgs(catalog, this.workDir)),
      ...stateArgs(definition.tap, about, this.saved, definition.resume, this.workDir, definition.name, this.logger),
    ];
    // A tap that says nothing about resuming gets --state as the Singer spec has it; if it then fails, say so.
    this.stateGivenUnasked = tapArgs.includes("--state") && about.capabilities === undefined;
    // A target that failed while the tap was being prepared (a rejected config): the tap is not started.
    if (this.failure !== undefined) return;
    this.tap = new ConnectorProcess({ ...definition.tap, role: "tap", args: tapArgs });
    // A stop asked for while starting: the tap is told at once.
    if (this.stopSignal !== undefined) this.tap.kill("SIGTERM");
  }

  /** The batch lane's counts per target, when the tap sent a BATCH. */
  private batchCounts(): { batches?: TargetBatchCounts[] } {
    const counts = this.data.batches.counts;
    if (counts.every((count) => count.nativeBatches + count.downgradedBatches === 0)) return {};
    return { batches: counts.map((count, index) => ({ target: this.definition.targets[index]?.name ?? String(index), ...count })) };
  }

  /** The BATCH formats each target reads, asked once. */
  private batchFormats(): Promise<TargetBatchFormats> {
    this.targetFormats ??= this.probeTargetFormats();
    return this.targetFormats;
  }

  /** The BATCH formats each target reads, from its `--about` (cached like the tap's). */
  private async probeTargetFormats(): Promise<TargetBatchFormats> {
    return Promise.all(
      this.definition.targets.map(async (target) => batchFormatsOf(await aboutTapCached(target, this.withConfig(target), this.store, this.definition.name))),
    );
  }

  private withConfig(connector: ConnectorDefinition): string[] {
    return argsWithConfig(connector, this.workDir);
  }

  // The data path

  private async pump(): Promise<void> {
    const tap = this.tap;
    if (tap === undefined) return;
    const parser = new MessageParser({
      origin: { connector: tap.name },
      maxLineBytes: this.definition.maxLineBytes,
      limitSetting: "max_line_bytes in pipelines.toml",
    });
    for await (const chunk of tap.stdout) {
      this.lastActivity = Date.now();
      if (this.failure !== undefined || this.data.stopped) continue;
      try {
        // Messages before a bad line are handled first; then the bad line fails the run.
        await this.handleAll(parser.push(chunk as Buffer));
        parser.throwIfFailed();
      } catch (error) {
        this.fail(asAgoraError(error));
        continue;
      }
      await this.flushTargets();
      this.events.emit("progress", this.data.read.byStream, this.data.read.total);
    }
    if (this.failure === undefined && !this.data.stopped) {
      try {
        await this.handleAll(parser.end());
        parser.throwIfFailed();
      } catch (error) {
        this.fail(asAgoraError(error));
      }
    }
    await this.data.flush();
    await this.flushTargets();
  }

  private async handleAll(lines: readonly MessageLine[]): Promise<void> {
    for (const item of lines) {
      if (this.failure !== undefined || this.data.stopped) return;
      const wait = this.data.handle(item);
      if (wait !== undefined) await wait;
    }
  }

  private async flushTargets(): Promise<void> {
    const wait = this.targets?.flush();
    if (wait === undefined) return;
    this.enter({ kind: "writing_targets" });
    this.lastActivity = Date.now();
    await wait;
    this.enter({ kind: "reading_tap" });
    this.lastActivity = Date.now();
  }

  // Confirmations and rejections from targets

  private enter(phase: RunPhase): void {
    this.phase = phase;
    this.events.emit("phase", phase);
  }

  private onConfirmed(target: number, value: unknown): boolean {
    this.lastActivity = Date.now();
    return this.checkpoint.confirm(target, value, (written) => progressAt(this.data.read.byStream, written, this.router.byStream, this.router.sinkByStream));
  }

  private onTargetDeadLetter(target: number, message: DeadLetterMessage): void {
    const stream = this.data.sourceStream(message.stream);
    this.data.targetCounts.rejected(target);
    // Under on_error = "fail" the record is kept nowhere: the checkpoint must not pass it.
    if (this.definition.onError === "fail") this.checkpoint.holdBefore(target);
    this.reject(
      {
        stream,
        stage: "sink_write",
        errorCode: message.error.code,
        errorMessage: `${this.targets?.nameOf(target) ?? "target"}: ${message.error.message}`,
        processed: message.record,
        ...this.data.schemaOf(stream),
      },
      message.location?.line,
      this.targets?.nameOf(target),
    );
  }

  private reject(rejected: RejectedRecord, line: number | undefined, connector?: string): void {
    this.events.emit("rejected", rejected.stream, rejected.stage);
    const error = this.router.reject(rejected, { line, connector: connector ?? this.tap?.name });
    if (error !== undefined) this.fail(error);
  }

  // Ending

  private onTargetExit(target: TargetChannel, exit: ConnectorExit): void {
    const problem = target.process.describeFailure(exit, this.tap?.hasExited === true ? "while finishing its writes" : "while receiving data");
    const span = this.targetSpans[target.index];
    if (span !== undefined) {
      span.setAttributes({ "agora.exit_code": exit.code ?? -1, ...(exit.signal === null || exit.signal === undefined ? {} : { "agora.signal": exit.signal }) });
      if (problem !== undefined) failed(span, problem);
      span.end();
      this.targetSpans[target.index] = undefined;
    }
    if (problem !== undefined) this.fail(problem);
    else if (this.tap?.hasExited !== true && this.failure === undefined) {
      this.fail(
        new FatalError(RunnerCodes.TARGET_CLOSED_INPUT, "the target exited before the tap finished", {
          where: { connector: target.name },
          hint: "A target must read its input to the end; check its logs above.",
        }),
      );
    }
  }

  private fail(error: AgoraError): void {
    if (this.failure !== undefined) return;
    const located = error.where.pipeline === undefined ? error.withLocation({ pipeline: this.definition.name }) : error;
    this.failure = this.namingConfigOrigins(located);
    this.tap?.kill("SIGTERM");
  }

  /**
   * A connector that rejects its config names the file it was given: the
   * run's temporary copy, gone once the run ends. Name where the config is
   * written instead: pipelines.toml, its line and setting.
   */
  private namingConfigOrigins(error: AgoraError): AgoraError {
    let result = error;
    for (const connector of [this.definition.tap, ...this.definition.targets]) {
      const origin = connector.configOrigin;
      const file = configFileOf(connector, this.workDir);
      if (origin === undefined || !`${result.message} ${result.hint ?? ""}`.includes(file)) continue;
      const line = settingLine(origin.file, origin.path);
      const named = `${origin.file}${line === undefined ? "" : `, line ${line}`} (${origin.path.join(".")})`;
      result = result.withText((text) => text.replaceAll(file, named));
    }
    return result;
  }

  private requestStop(signal: NodeJS.Signals): void {
    if (this.stopSignal !== undefined) {
      // A second signal: stop now, without waiting for anyone.
      this.tap?.kill("SIGKILL");
      this.targets?.kill("SIGKILL");
      return;
    }
    this.stopSignal = signal;
    this.logger.warn(
      `pipeline ${this.definition.name}: ${signal} received; stopping the tap and saving what the targets confirm (send it again to kill everything now)`,
    );
    this.tap?.kill("SIGTERM");
  }

  private checkIdle(): void {
    const idleMs = this.definition.idleTimeoutSeconds * 1000;
    if (this.failure !== undefined || Date.now() - this.lastActivity < idleMs) return;
    this.fail(
      new FatalError(RunnerCodes.CONNECTOR_HUNG, `no progress for ${this.definition.idleTimeoutSeconds} s while waiting for ${describePhase(this.phase)}`, {
        hint: "A connector seems hung: check its logs above, or raise idle_timeout_seconds if it is just slow.",
      }),
    );
    this.tap?.kill("SIGKILL");
    // Stuck on a target (its pipe full, or it never exits): kill the targets too.
    if (this.phase.kind !== "reading_tap" && this.phase.kind !== "tap_exiting") this.targets?.kill("SIGKILL");
  }

  private async finish(): Promise<void> {
    const tap = this.tap;
    if (tap !== undefined) {
      this.enter({ kind: "tap_exiting" });
      const exit = await waitForExit(tap, GRACE_MS);
      const expectedStop = this.stopSignal !== undefined || this.data.stopped || this.failure !== undefined;
      if (!expectedStop) {
        const problem = tap.describeFailure(exit, "before finishing its output");
        if (problem !== undefined) {
          this.fail(
            this.stateGivenUnasked
              ? problem.withHint(
                  `It was given --state with the saved checkpoint (it has no --about to say whether it can resume); if it does not take --state, set resume = false on the pipeline or run with --no-resume.`,
                )
              : problem,
          );
        }
      }
    }
    // Targets write and confirm what they received, also after a failure: that is what makes resuming lose nothing.
    this.enter({ kind: "targets_finishing" });
    this.lastActivity = Date.now();
    // Writing the last batch takes what it takes: at least the grace the tap gets, whatever the idle timeout.
    await this.targets?.end(Math.max(GRACE_MS, this.definition.idleTimeoutSeconds * 1000));
    // A full refresh saves its checkpoint only now, and only if nothing went wrong.
    if (this.failure === undefined && this.stopSignal === undefined) this.checkpoint.commitDeferred();
    // Every confirmation is in: the checkpoints and dead letters it queued are written before the run is recorded.
    await this.writes.drain();
    await rememberNewColumns(this.store, this.catalogPlan, this.contract, this.definition.name).catch((error: unknown) =>
      this.logger.warn(
        `pipeline ${this.definition.name}: could not add the new columns to the cached catalog (${asAgoraError(error).message}); the next run finds them again`,
      ),
    );
    // Connectors' error lines no failure of the run reported are said now, once.
    this.tap?.releaseHeldErrors();
    for (const channel of this.targets?.channels ?? []) channel.process.releaseHeldErrors();
    if (this.failure === undefined) this.checkpoint.warnIfUnconfirmed();
    if (this.failure === undefined && this.stopSignal === undefined) this.warnIfCatalogIgnored();
  }

  /**
   * A tap handed a selection that sent nothing for any selected stream, not
   * even its SCHEMA, most likely did not read the catalog: classic Singer
   * taps (singer-io's tap-postgres) read only --properties. Said, so "read 0"
   * is not taken for an empty source; under on_catalog_ignored = "fail", the
   * run fails.
   */
  private warnIfCatalogIgnored(): void {
    const plan = this.catalogPlan;
    if (plan === undefined || this.data.read.total > 0) return;
    const selected = plan.report.filter((stream) => stream.decision.selected).map((stream) => stream.stream);
    if (selected.length === 0 || selected.some((stream) => this.data.announced(stream))) return;
    const names = `${selected.slice(0, 5).join(", ")}${selected.length > 5 ? `, and ${selected.length - 5} more` : ""}`;
    const other = plan.flag === "--catalog" ? "properties" : "catalog";
    const what = `${this.tap?.name ?? "the tap"} was handed a catalog (${plan.flag}) selecting ${selected.length} stream(s) (${names}) and sent no SCHEMA or RECORD for any of them`;
    const hint = `If it reads its catalog from another flag (classic taps read only --properties), set catalog_flag = "${other}" on the tap; else check the selection (agora select ${this.definition.name}).`;
    if (this.definition.onCatalogIgnored === "fail") {
      this.fail(new ConfigError(RunnerCodes.CATALOG_IGNORED, `${what} (on_catalog_ignored = "fail")`, { where: { pipeline: this.definition.name }, hint }));
      return;
    }
    this.logger.warn(`pipeline ${this.definition.name}: ${what}. ${hint}`);
  }

  private async result(): Promise<RunResult> {
    const status = this.failure !== undefined ? "failed" : this.stopSignal !== undefined ? "stopped" : "succeeded";
    // Written is what every target confirmed; what they were sent after their last confirmation is counted apart.
    const progress = progressAt(
      this.data.read.byStream,
      this.checkpoint.writtenAtCheckpoint,
      this.router.byStream,
      this.router.sinkByStream,
      this.data.delivered.byStream,
    );
    const failure: RunFailure | undefined =
      this.failure !== undefined
        ? { code: this.failure.code, kind: this.failure.kind, message: maskSecrets(this.failure.toUserLine()) }
        : this.stopSignal !== undefined
          ? { code: RunnerCodes.RUN_INTERRUPTED, kind: "fatal", message: `stopped by ${this.stopSignal}` }
          : undefined;
    const targets = this.data.targetCounts.report(
      this.definition.targets.map((target) => target.name),
      (index) => this.checkpoint.sentConfirmedBy(index),
    );
    const recorded = await this.record(status, progress, failure, targets);
    this.trace.end(recorded.status ?? status, recorded.failure ?? failure);
    return {
      runId: this.runId,
      pipeline: this.definition.name,
      status,
      progress,
      targets,
      recordsRead: this.data.read.total,
      recordsWritten: Object.values(progress).reduce((sum, stream) => sum + stream.written, 0),
      recordsUnconfirmed: Object.values(progress).reduce((sum, stream) => sum + (stream.unconfirmed ?? 0), 0),
      deadLettered: this.router.deadLettered,
      skipped: this.router.skipped,
      checkpointAdvanced: this.checkpoint.advanced,
      ...(this.checkpoint.unsaved ? { checkpointUnsaved: true } : {}),
      ...this.batchCounts(),
      seconds: (performance.now() - this.started) / 1000,
      error: failure?.message,
      failure,
      signal: this.stopSignal,
      ...recorded,
    };
  }

  /**
   * Records how the run ended. A store that cannot write (a full disk) does
   * not hide how the run itself went: the run's own failure stays the one
   * reported, the store's is added to it, and the next run marks this one
   * failed when it finds it still "running".
   */
  private async record(
    status: RunResult["status"],
    progress: RunProgress,
    failure: RunFailure | undefined,
    targets: readonly TargetProgress[],
  ): Promise<Partial<RunResult>> {
    try {
      await this.store.finishRun(this.runId, status, progress, failure, targets);
      return {};
    } catch (error) {
      // A lease lost is the run's end as it is: the other process's record of this run stands.
      const stored = asAgoraError(error);
      const problem = stored.code === RunnerCodes.LEASE_LOST ? stored : stored.withText((text) => `${text}; the run could not be recorded as ${status}`);
      if (this.failure === undefined) this.failure = problem;
      const line = maskSecrets(this.failure.toUserLine());
      const recordedFailure: RunFailure = { code: this.failure.code, kind: this.failure.kind, message: line };
      return { status: "failed", error: line, failure: recordedFailure };
    }
  }
}
