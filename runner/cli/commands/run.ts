import { Command, Option } from "commander";
import { exitCodeForSignal, stringifyJson, UsageError, type Logger } from "../../../protocol/index.js";
import { executeNow } from "../../execute-pipeline.js";
import { RunEvents } from "../../pipeline/run-events.js";
import { StopRequests } from "../../pipeline/stop-requests.js";
import type { RunResult } from "../../pipeline/types.js";
import type { ErrorPolicy, PipelineDefinition } from "../../definition.js";
import { adHocName, adHocPipeline, commandsToRemember } from "../../project/ad-hoc-pipeline.js";
import { resolvePipeline, type PipelineOverrides } from "../../project/resolve-pipeline.js";
import { loggerFor, maybeProject, projectStore, requireProject, writeOut, type CommonOptions } from "../cli-context.js";
import { summaryLine } from "../../pipeline/run-summary.js";
import { logProgressEvery, ProgressWatch } from "../../pipeline/progress-log.js";
import { LiveStatus } from "../live-status.js";
import { RunnerCodes } from "../../errors.js";

interface RunOptions extends CommonOptions {
  readonly tap?: string;
  readonly target: string[];
  readonly name?: string;
  readonly maxRecords?: string;
  readonly onError?: ErrorPolicy;
  readonly validate: boolean;
  readonly idleTimeout?: string;
  readonly progress: boolean;
  readonly progressInterval: string;
  readonly streams?: boolean;
  readonly fullRefresh?: boolean;
  readonly refreshCatalog?: boolean;
  readonly resume: boolean;
}

function positiveNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(RunnerCodes.USAGE, `${flag} must be a positive number, not "${text}"`, { hint: "Run `agora run --help`." });
  return value;
}

function nonNegativeNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(RunnerCodes.USAGE, `${flag} must be a number of seconds, 0 or more, not "${text}"`, { hint: "Run `agora run --help`." });
  return value;
}

/** A pipeline from --tap and --target. */
function adHocFromOptions(options: RunOptions, overrides: PipelineOverrides, logger: Logger): PipelineDefinition {
  const name = options.name ?? adHocName(options.tap ?? "", options.target);
  if (options.name === undefined)
    logger.info(`ad hoc pipeline ${name}: its checkpoint, runs and dead letters go by this name (agora state show ${name}); --name NAME chooses another`);
  return adHocPipeline(name, options.tap ?? "", options.target, process.cwd(), overrides, maybeProject(options));
}

export function exitCodeOf(result: RunResult): number {
  if (result.status === "succeeded") return 0;
  if (result.status === "stopped") return exitCodeForSignal(result.signal ?? "SIGTERM");
  return 1;
}

async function run(pipelineName: string | undefined, options: RunOptions): Promise<number> {
  const logger = loggerFor(options);
  const overrides: PipelineOverrides = {
    maxRecords: positiveNumber(options.maxRecords, "--max-records"),
    onError: options.onError,
    validate: options.validate ? undefined : false,
    idleTimeoutSeconds: positiveNumber(options.idleTimeout, "--idle-timeout"),
    resume: options.resume ? undefined : false,
  };
  let definition: PipelineDefinition;
  let project: ReturnType<typeof maybeProject>;
  if (options.tap !== undefined || options.target.length > 0) {
    if (pipelineName !== undefined)
      throw new UsageError(RunnerCodes.USAGE, "give a pipeline name or --tap/--target, not both", { hint: "Run `agora run --help`." });
    if (options.tap === undefined || options.target.length === 0)
      throw new UsageError(RunnerCodes.USAGE, "an ad-hoc run needs --tap and at least one --target", {
        hint: "Example: agora run --tap 'tap-sample' --target 'target-sqlite --config t.json'",
      });
    definition = adHocFromOptions(options, overrides, logger);
  } else {
    project = requireProject(options);
    if (project === undefined)
      throw new UsageError(RunnerCodes.USAGE, "no pipeline given", { hint: "Run `agora run NAME` in a project, or `agora run --tap CMD --target CMD`." });
    const names = Object.keys(project.pipelines);
    const name = pipelineName ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined)
      throw new UsageError(RunnerCodes.USAGE, `which pipeline? ${project.file} has ${names.join(", ") || "none"}`, { hint: "Run `agora run NAME`." });
    definition = resolvePipeline(project, name, overrides);
  }
  const store = projectStore(options, project);
  // An ad hoc pipeline is remembered (secrets masked), so `agora dlq replay NAME` can send its dead letters again.
  if (project === undefined) await store.saveAdHocPipeline(definition.name, commandsToRemember(options.tap ?? "", options.target, process.cwd()));
  const { requests, release } = StopRequests.fromProcessSignals();
  const live = options.progress && process.stderr.isTTY === true && options.json !== true;
  const progressSeconds = nonNegativeNumber(options.progressInterval, "--progress-interval");
  const status = live ? new LiveStatus() : undefined;
  let lastDraw = 0;
  let stopProgressLog: (() => void) | undefined;
  let result: RunResult;
  try {
    const events = new RunEvents();
    if (status !== undefined) {
      const watch = new ProgressWatch(events);
      events.on("progress", () => {
        const now = performance.now();
        if (now - lastDraw < 200) return;
        lastDraw = now;
        status.show(watch.line(definition.name));
      });
    } else if (options.progress && progressSeconds > 0) {
      // Off a terminal (CI, a log file): a line every --progress-interval seconds instead.
      stopProgressLog = logProgressEvery(events, progressSeconds, definition.name, logger);
    }
    result = await executeNow(
      definition,
      { kind: "sync", events, fullRefresh: options.fullRefresh === true, refreshCatalog: options.refreshCatalog === true },
      { store, logger, stop: requests, leaseSeconds: project?.worker.lease_seconds },
    );
  } finally {
    stopProgressLog?.();
    release();
    await store.close();
    status?.close();
  }
  if (options.json === true) await writeOut(`${stringifyJson(result)}\n`);
  process.stderr.write(`${summaryLine(result, options.streams === true)}\n`);
  return exitCodeOf(result);
}

export function runCommand(common: () => CommonOptions, done: (code: number) => Promise<void>): Command {
  return new Command("run")
    .description("run a pipeline of pipelines.toml, or an ad-hoc one from --tap and --target")
    .argument("[pipeline]", "pipeline name (default: the only one)")
    .option("--tap <command>", "ad hoc: the tap's command line, e.g. 'tap-csv --config c.json'")
    .option(
      "--target <command>",
      "ad hoc: a target's command line (repeat for fan-out)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option("--name <name>", "ad hoc: the pipeline's name in the state store (default: adhoc- and a hash of the commands)")
    .option("--max-records <n>", "stop after this many records, with a consistent checkpoint")
    .addOption(new Option("--on-error <policy>", "rejected records: dlq, fail or skip (overrides pipelines.toml)").choices(["dlq", "fail", "skip"]))
    .option("--no-validate", "do not validate records against their SCHEMA")
    .option("--idle-timeout <seconds>", "fail a connector that shows no progress for this long")
    .option("--no-progress", "no progress: no live line on a terminal, no periodic lines elsewhere")
    .option("--streams", "name every stream in the summary (by default the 10 with the most records, and how many more)")
    .option("--progress-interval <seconds>", "off a terminal, a progress line this often (0: none)", "10")
    .option("--full-refresh", "ignore the saved checkpoint (start from the beginning); save the new one only if the run succeeds")
    .option("--no-resume", "do not hand the tap the saved checkpoint as --state (for taps that do not take it)")
    .option("--refresh-catalog", "run the tap's --discover again instead of using the cached catalog")
    .option("--json", "print the run's result as JSON on stdout")
    .action(async (pipeline: string | undefined, options: RunOptions) => {
      await done(await run(pipeline, { ...common(), ...options }));
    });
}
