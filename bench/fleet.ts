/**
 * The fleet load script: several `agora worker` processes on one Postgres
 * state store, many tiny pipelines on a schedule, for some minutes, with one
 * worker SIGKILLed halfway. Reports whether every due run happened once
 * (no double runs, none lost), the schedule lag, CPU per run and Postgres
 * commits per second: the figures docs/scale-out.md projects from.
 *
 *   npm run build && node dist/bench/fleet.js [--workers 3] [--pipelines 100] [--every 60] [--minutes 5]
 *
 * Postgres: AGORA_BENCH_POSTGRES_URL, else a server started by .ci/postgres.sh.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { findRoot } from "../docs/repo-root.js";
import { startThrowawayPostgres } from "./postgres-server.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const WORKERS = option("workers", 3);
const PIPELINES = option("pipelines", 100);
const EVERY = option("every", 60);
const MINUTES = option("minutes", 5);
const LEASE = 30;

const root = findRoot();
const agora = join(root, "dist", "runner", "cli", "bin.js");
const work = mkdtempSync(join(tmpdir(), "agora-fleet-"));

/** Total and idle CPU jiffies of the machine, from /proc/stat. */
function cpuJiffies(): { total: number; idle: number } {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  return { total: fields.reduce((sum, value) => sum + value, 0), idle: (fields[3] ?? 0) + (fields[4] ?? 0) };
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  const given = process.env["AGORA_BENCH_POSTGRES_URL"];
  const server = given === undefined ? await startThrowawayPostgres(root) : undefined;
  if (server !== undefined && server.url === undefined) throw new Error(server.reason);
  const url = given ?? (server?.url as string);
  const store = `${url}${url.includes("?") ? "&" : "?"}schema=fleet_${Date.now()}`;

  const toml = [`[worker]\nconcurrency = 4\nlease_seconds = ${LEASE}\n`];
  for (let index = 1; index <= PIPELINES; index += 1) {
    toml.push(
      `[pipelines.p${index}]\ntap = { command = "tap-sample", config = { users = 1, orders = 0, seed = ${index} } }\ntarget = { command = "target-jsonl", config = { destination_path = "${join(work, "out", `p${index}`)}" } }\nschedule = { every = "${EVERY}s" }\n`,
    );
  }
  const workers: ChildProcess[] = [];
  for (let index = 0; index < WORKERS; index += 1) {
    const dir = join(work, `host${index}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "pipelines.toml"), toml.join("\n"));
    workers.push(
      spawn(process.execPath, [agora, "worker"], { cwd: dir, stdio: ["ignore", "ignore", "ignore"], env: { ...process.env, AGORA_STATE_STORE: store } }),
    );
  }
  const client = new pg.Client(url);
  await client.connect();
  const commits = async (): Promise<number> =>
    Number((await client.query<{ n: string }>("SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()")).rows[0]?.n ?? 0);

  const started = Date.now();
  const cpuBefore = cpuJiffies();
  const commitsBefore = await commits();
  const durationMs = MINUTES * 60_000;
  process.stderr.write(`fleet: ${WORKERS} workers, ${PIPELINES} pipelines every ${EVERY} s, ${MINUTES} min; one worker SIGKILLed at half time\n`);
  await new Promise((resolve) => setTimeout(resolve, durationMs / 2));
  const killedAt = Date.now();
  workers[0]?.kill("SIGKILL");
  await new Promise((resolve) => setTimeout(resolve, durationMs / 2));
  const cpuAfter = cpuJiffies();
  const commitsAfter = await commits();
  for (const worker of workers.slice(1)) worker.kill("SIGTERM");
  await Promise.all(workers.slice(1).map((worker) => new Promise((resolve) => worker.once("exit", resolve))));
  const elapsed = (Date.now() - started) / 1000;

  const schema = new URL(store).searchParams.get("schema") as string;
  const runs = (
    await client.query<{ pipeline: string; started_at: string; ended_at: string | null; status: string; error_code: string | null }>(
      `SELECT pipeline, started_at, ended_at, status, error_code FROM "${schema}".runs ORDER BY pipeline, started_at`,
    )
  ).rows;
  await client.end();

  const byPipeline = new Map<string, typeof runs>();
  for (const run of runs) byPipeline.set(run.pipeline, [...(byPipeline.get(run.pipeline) ?? []), run]);
  const lags: number[] = [];
  let overlapping = 0;
  let early = 0;
  let late = 0;
  for (const list of byPipeline.values()) {
    for (let index = 1; index < list.length; index += 1) {
      const before = list[index - 1] as (typeof runs)[number];
      const run = list[index] as (typeof runs)[number];
      const start = Date.parse(run.started_at);
      const previousEnd = before.ended_at === null ? Number.NaN : Date.parse(before.ended_at);
      if (before.ended_at !== null && start < previousEnd) overlapping += 1;
      if (before.status === "failed" && before.error_code === "RUN_ABANDONED") continue; // taken over after the kill
      const lag = start - (previousEnd + EVERY * 1000);
      if (lag < -1000) early += 1;
      else if (lag > Math.max(EVERY * 500, LEASE * 1000 + 5000)) late += 1;
      else lags.push(lag);
    }
  }
  const abandoned = runs.filter((run) => run.error_code === "RUN_ABANDONED").length;
  const succeeded = runs.filter((run) => run.status === "succeeded").length;
  const missing = [...Array(PIPELINES).keys()].map((index) => `p${index + 1}`).filter((name) => !byPipeline.has(name)).length;
  const busy = 1 - (cpuAfter.idle - cpuBefore.idle) / (cpuAfter.total - cpuBefore.total);
  const cpuSecondsPerRun = (busy * cpus().length * (elapsed - 0)) / Math.max(1, runs.length);

  const report = [
    `## Fleet: ${WORKERS} workers, ${PIPELINES} pipelines every ${EVERY} s, ${MINUTES} min (one worker SIGKILLed at ${((killedAt - started) / 1000).toFixed(0)} s)`,
    "",
    `| measure | value |`,
    `| --- | ---: |`,
    `| runs | ${runs.length} (${succeeded} succeeded, ${abandoned} abandoned by the killed worker and taken over) |`,
    `| pipelines that never ran | ${missing} |`,
    `| overlapping runs of one pipeline | ${overlapping} |`,
    `| runs earlier than due (a double run) | ${early} |`,
    `| runs later than due by more than max(half an interval, the lease + 5 s) | ${late} |`,
    `| schedule lag p50 / p99 | ${(percentile(lags, 50) / 1000).toFixed(2)} s / ${(percentile(lags, 99) / 1000).toFixed(2)} s |`,
    `| runs per second | ${(runs.length / elapsed).toFixed(2)} |`,
    `| machine CPU busy (${cpus().length} cores) | ${(busy * 100).toFixed(0)} % |`,
    `| CPU per run (all processes: worker, tap, target, Postgres) | ${cpuSecondsPerRun.toFixed(2)} s |`,
    `| Postgres commits per second | ${((commitsAfter - commitsBefore) / elapsed).toFixed(1)} |`,
    `| Postgres commits per run | ${((commitsAfter - commitsBefore) / Math.max(1, runs.length)).toFixed(1)} |`,
  ].join("\n");
  process.stdout.write(`${report}\n`);
  if (server?.url !== undefined) server.stop();
  rmSync(work, { recursive: true, force: true });
}

await main();
