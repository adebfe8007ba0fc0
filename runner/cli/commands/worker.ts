import { Command } from "commander";
import { stringifyJson, UsageError } from "../../../protocol/index.js";
import { StopRequests } from "../../pipeline/stop-requests.js";
import type { WorkerSettings } from "../../worker/worker.js";
import { loggerFor, projectStore, requireProject, writeOut, type CommonOptions } from "../cli-context.js";
import { RunnerCodes } from "../../errors.js";
import { resolvePipeline } from "../../project/resolve-pipeline.js";
import { pipelineOverview } from "../../console/pipeline-overview.js";

interface WorkerOptions {
  readonly list?: boolean;
  readonly port?: string;
  readonly host?: string;
  readonly concurrency?: string;
  readonly healthToken?: string;
  readonly gracefulTimeout?: string;
  readonly progressInterval?: string;
  readonly console?: boolean;
  readonly consoleReadOnly?: boolean;
}

function number(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(RunnerCodes.USAGE, `${flag} must be a non-negative number, not "${text}"`, { hint: "Run `agora worker --help`." });
  return value;
}

export function workerCommand(common: () => CommonOptions, done: (code: number) => Promise<void>): Command {
  return new Command("worker")
    .description("run every scheduled pipeline of the project in one long-lived process")
    .option("--list", "list the pipelines, their schedules and next runs, without starting anything")
    .option("--port <port>", "serve /health, /ready and /metrics on this port (0 picks a free one)")
    .option("--host <host>", "address for the health server (default 127.0.0.1)")
    .option("--concurrency <n>", "pipelines running at once")
    .option("--health-token <token>", "require `Authorization: Bearer TOKEN` (or set AGORA_HEALTH_AUTH_TOKEN); also the web console's sign-in token")
    .option("--console", "serve the web console on the health port (the default; [worker] console)")
    .option("--no-console", "serve only /health, /ready and /metrics")
    .option("--console-read-only", "the web console shows everything but takes no action")
    .option("--progress-interval <seconds>", "log each running pipeline's progress this often; 0: only its summary")
    .option("--graceful-timeout <seconds>", "on SIGINT/SIGTERM, let runs finish this long before stopping them")
    .action(async (options: WorkerOptions) => {
      const shared = common();
      const project = requireProject(shared, "the worker needs a project");
      const logger = loggerFor(shared);
      // The worker's parts (schedules, metrics, health server) load only for this command: every other command starts faster.
      const { scheduledPipelines, Worker, workerSettings } = await import("../../worker/worker.js");
      const overrides: Partial<WorkerSettings> = Object.fromEntries(
        Object.entries({
          healthPort: number(options.port, "--port"),
          healthHost: options.host,
          concurrency: number(options.concurrency, "--concurrency"),
          token: options.healthToken,
          gracefulShutdownSeconds: number(options.gracefulTimeout, "--graceful-timeout"),
          progressIntervalSeconds: number(options.progressInterval, "--progress-interval"),
          console: options.console,
          consoleReadOnly: options.consoleReadOnly,
        }).filter(([, value]) => value !== undefined),
      );
      const settings = workerSettings(project, overrides);
      if (options.list === true) {
        // Checked as the worker would check them before running any: a pipeline that cannot run is an error here too.
        for (const name of Object.keys(project.pipelines)) resolvePipeline(project, name);
        const scheduled = new Map(scheduledPipelines(project, logger).map((pipeline) => [pipeline.name, pipeline]));
        const store = projectStore(shared, project);
        try {
          const rows = await pipelineOverview({ project, scheduled, store });
          if (shared.json === true) await writeOut(`${stringifyJson(rows)}\n`);
          else
            await writeOut(
              `pipeline\tschedule\tnext run\theld by\tlast run\n${rows.map((row) => [row.pipeline, row.schedule, row.nextRun ?? "-", row.heldBy ?? "-", row.lastRun === null ? "-" : `${row.lastRun.status} ${row.lastRun.endedAt ?? ""}`].join("\t")).join("\n")}\n`,
            );
        } finally {
          await store.close();
        }
        return;
      }
      const store = projectStore(shared, project);
      const { requests, release } = StopRequests.fromProcessSignals();
      try {
        const worker = new Worker(project, store, settings, logger);
        const code = await worker.run(requests);
        logger.info(`worker stopped (exit ${code})`);
        await done(code);
      } finally {
        release();
        await store.close();
      }
    });
}
