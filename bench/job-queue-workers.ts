/**
 * One worker process of the job-queue comparison (bench/job-queues.ts):
 * the same scheduling workload coordinated three ways, each as the fleet of
 * `agora worker`s would use it. A "run" is a sleep of `runMs`: the pipeline's
 * own cost is the same whatever coordinates it, so it is left out. Each run
 * start and end is appended to this worker's log (synchronously, so a
 * SIGKILLed worker leaves its unfinished runs' starts behind).
 */
import { appendFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { PostgresStateStore } from "../runner/state/postgres/postgres-state-store.js";

export type Contender = "rows" | "pg-boss" | "graphile-worker";

export interface WorkerOptions {
  readonly contender: Contender;
  readonly url: string;
  readonly log: string;
  readonly worker: number;
  readonly pipelines: number;
  readonly everyMs: number;
  readonly runMs: number;
  readonly leaseSeconds: number;
  /** When pipeline i is first due: `start + i × every / pipelines` (spread over one interval). */
  readonly start: number;
  readonly concurrency: number;
}

export const pipelineName = (index: number): string => `p${index}`;
export const firstDue = (options: Pick<WorkerOptions, "start" | "everyMs" | "pipelines">, index: number): number =>
  options.start + Math.floor((index * options.everyMs) / options.pipelines);

/** The work of one run: logged at start and end. */
async function runOnce(options: WorkerOptions, pipeline: string, due: number): Promise<void> {
  appendFileSync(options.log, `${JSON.stringify({ e: "start", p: pipeline, due, t: Date.now(), w: options.worker })}\n`);
  await sleep(options.runMs);
  appendFileSync(options.log, `${JSON.stringify({ e: "end", p: pipeline, due, t: Date.now(), w: options.worker })}\n`);
}

class Semaphore {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = size;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.free += 1;
    else next();
  }
}

/**
 * Agora's way: the store's lease row and "next due" row per pipeline, with
 * the calls `agora worker` makes (acquire, due check, run, next due, release;
 * renewed every third of the lease). Holder ids name another host for each
 * worker, so a dead worker is taken over when its lease runs out, as across hosts.
 */
async function rowsWorker(options: WorkerOptions): Promise<void> {
  const store = new PostgresStateStore(options.url);
  const holder = `bench-host-${options.worker}:${process.pid}`;
  const ttlMs = options.leaseSeconds * 1000;
  const semaphore = new Semaphore(options.concurrency);
  const loop = async (index: number): Promise<void> => {
    const pipeline = pipelineName(index);
    let localNext = firstDue(options, index);
    for (;;) {
      await sleep(Math.max(0, localNext - Date.now()));
      await semaphore.acquire();
      try {
        if (!(await store.acquireLease(pipeline, holder, ttlMs))) {
          localNext = Date.now() + ttlMs / 3;
          continue;
        }
        const renew = setInterval(() => void store.renewLease(pipeline, holder, ttlMs), ttlMs / 3);
        try {
          const next = await store.getNextRun(pipeline);
          const due = next?.at === undefined ? firstDue(options, index) : Date.parse(next.at);
          if (due > Date.now()) {
            localNext = due;
            continue;
          }
          await runOnce(options, pipeline, due);
          await store.setNextRun(pipeline, { at: new Date(due + options.everyMs).toISOString(), schedule: "bench" });
          localNext = due + options.everyMs;
        } finally {
          clearInterval(renew);
          await store.releaseLease(pipeline, holder);
        }
      } finally {
        semaphore.release();
      }
    }
  };
  await Promise.all(Array.from({ length: options.pipelines }, (_, index) => loop(index + 1)));
}

/**
 * pg-boss 10: one `stately` queue (one job per state per singleton key, the
 * pipeline), jobs expiring after the lease time (v10 has no heartbeat), the
 * next due time sent as a deferred job before the run's job completes.
 */
async function pgBossWorker(options: WorkerOptions): Promise<void> {
  const { default: PgBoss } = await import("pg-boss");
  const boss = new PgBoss({
    connectionString: options.url,
    application_name: `bench-pgboss-${options.worker}`,
    maintenanceIntervalSeconds: 5,
    monitorStateIntervalSeconds: 60,
  });
  boss.on("error", () => undefined);
  await boss.start();
  for (let slot = 0; slot < options.concurrency; slot += 1) {
    await boss.work<{ p: string; due: number }>("runs", { batchSize: 1, pollingIntervalSeconds: 2 }, async ([job]) => {
      if (job === undefined) return;
      const next = job.data.due + options.everyMs;
      await runOnce(options, job.data.p, job.data.due);
      await boss.send("runs", { p: job.data.p, due: next }, { startAfter: new Date(next), singletonKey: job.data.p });
    });
  }
  await new Promise(() => undefined);
}

/** Makes pg-boss's schema and queue, and sends each pipeline's first job. */
export async function seedPgBoss(options: WorkerOptions): Promise<void> {
  const { default: PgBoss } = await import("pg-boss");
  const boss = new PgBoss({ connectionString: options.url, supervise: false });
  await boss.start();
  await boss.createQueue("runs", { name: "runs", policy: "stately", expireInSeconds: options.leaseSeconds, retryLimit: 5, retryDelay: 0 });
  for (let index = 1; index <= options.pipelines; index += 1) {
    const due = firstDue(options, index);
    await boss.send("runs", { p: pipelineName(index), due }, { startAfter: new Date(due), singletonKey: pipelineName(index) });
  }
  await boss.stop({ graceful: false });
}

/**
 * graphile-worker 0.16: a named queue per pipeline (its jobs run one at a
 * time), a job key per pipeline, the next due time added as a job with
 * `runAt` from inside the run's task.
 */
async function graphileWorker(options: WorkerOptions): Promise<void> {
  const { run } = await import("graphile-worker");
  await run({
    connectionString: options.url,
    concurrency: options.concurrency,
    pollInterval: 2000,
    noHandleSignals: true,
    taskList: {
      agora_run: async (payload, helpers) => {
        const { p, due } = payload as { p: string; due: number };
        await runOnce(options, p, due);
        await helpers.addJob("agora_run", { p, due: due + options.everyMs }, { queueName: p, runAt: new Date(due + options.everyMs), jobKey: p });
      },
    },
  });
  await new Promise(() => undefined);
}

/** Makes graphile-worker's schema and adds each pipeline's first job. */
export async function seedGraphile(options: WorkerOptions): Promise<void> {
  const { makeWorkerUtils } = await import("graphile-worker");
  const utils = await makeWorkerUtils({ connectionString: options.url });
  await utils.migrate();
  for (let index = 1; index <= options.pipelines; index += 1) {
    const p = pipelineName(index);
    await utils.addJob("agora_run", { p, due: firstDue(options, index) }, { queueName: p, runAt: new Date(firstDue(options, index)), jobKey: p });
  }
  await utils.release();
}

export function startWorker(options: WorkerOptions): Promise<void> {
  switch (options.contender) {
    case "rows":
      return rowsWorker(options);
    case "pg-boss":
      return pgBossWorker(options);
    case "graphile-worker":
      return graphileWorker(options);
  }
}
