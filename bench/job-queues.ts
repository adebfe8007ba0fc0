/**
 * The job-queue comparison: the fleet's scheduling workload coordinated by
 * Agora's rows (lease + next due time in the state store), by pg-boss 10 and
 * by graphile-worker 0.16 (the majors that run on Node 20), side by side on
 * one Postgres server. Several worker processes (as on hosts of their own),
 * many pipelines on a fixed interval, one worker SIGKILLed mid-run halfway.
 * Reports for each: due times run once (doubles, overlaps, misses), schedule
 * lag, how soon the killed worker's pipeline ran again, Postgres commits and
 * CPU per run. docs/scale-out.md quotes it.
 *
 *   npm run build && node dist/bench/job-queues.js [--workers 3] [--pipelines 60] [--every 30] [--minutes 3] [--run-ms 2000] [--lease 15] [--only rows,pg-boss]
 *
 * Postgres: AGORA_BENCH_POSTGRES_URL, else a server started by .ci/postgres.sh.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { findRoot } from "../docs/repo-root.js";
import { firstDue, pipelineName, seedGraphile, seedPgBoss, startWorker, type Contender, type WorkerOptions } from "./job-queue-workers.js";
import { startThrowawayPostgres } from "./postgres-server.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};

interface LogLine {
  readonly e: "start" | "end";
  readonly p: string;
  readonly due: number;
  readonly t: number;
  readonly w: number;
}

interface Run {
  readonly pipeline: string;
  readonly due: number;
  readonly start: number;
  /** When it ended, or when its worker was killed. */
  readonly end: number;
  readonly killed: boolean;
}

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** CPU seconds (user + system) of a process, from /proc; 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every process of the Postgres server (the processes named postgres). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (/^Name:\s+postgres$/m.test(readFileSync(`/proc/${entry}/status`, "utf8"))) total += cpuSeconds(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

const CONTENDERS: readonly Contender[] = ["rows", "pg-boss", "graphile-worker"];

/** `--only rows,pg-boss`: some of them; all by default. */
function contenders(): Contender[] {
  const at = args.indexOf("--only");
  if (at < 0) return [...CONTENDERS];
  const named = (args[at + 1] ?? "").split(",");
  const unknown = named.filter((name) => !CONTENDERS.includes(name as Contender));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(", ")} (choose from ${CONTENDERS.join(", ")})`);
  return named as Contender[];
}

async function commits(url: string): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    const result = await client.query<{ n: string }>("SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()");
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

function runsOf(logs: readonly string[], killedWorker: number, killedAt: number): Run[] {
  const starts = new Map<string, LogLine>();
  const runs: Run[] = [];
  for (const log of logs) {
    let text = "";
    try {
      text = readFileSync(log, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const entry = JSON.parse(line) as LogLine;
      const key = `${entry.w} ${entry.p} ${entry.due}`;
      if (entry.e === "start") starts.set(key, entry);
      else {
        const start = starts.get(key);
        starts.delete(key);
        if (start !== undefined) runs.push({ pipeline: entry.p, due: entry.due, start: start.t, end: entry.t, killed: false });
      }
    }
  }
  // Starts with no end: runs of the killed worker (or cut by the end of the test).
  for (const start of starts.values())
    runs.push({
      pipeline: start.p,
      due: start.due,
      start: start.t,
      end: start.w === killedWorker ? killedAt : Number.POSITIVE_INFINITY,
      killed: start.w === killedWorker,
    });
  return runs.sort((a, b) => a.start - b.start);
}

interface Outcome {
  readonly contender: Contender;
  readonly runs: number;
  readonly killedRuns: number;
  readonly doubles: number;
  readonly overlaps: number;
  readonly missed: number;
  readonly lagP50: number;
  readonly lagP99: number;
  readonly takeover: string;
  readonly commitsPerRun: number;
  readonly workerCpuPerRun: number;
  readonly postgresCpuPerRun: number;
}

async function measure(
  contender: Contender,
  serverUrl: string,
  settings: { workers: number; pipelines: number; everyMs: number; minutes: number; runMs: number; leaseSeconds: number },
  work: string,
): Promise<Outcome> {
  const database = `queues_${contender.replace("-", "_")}_${Date.now()}`;
  const admin = new pg.Client(serverUrl);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const start = Date.now() + 8000;
  const base: Omit<WorkerOptions, "worker" | "log"> = {
    contender,
    url: url.toString(),
    pipelines: settings.pipelines,
    everyMs: settings.everyMs,
    runMs: settings.runMs,
    leaseSeconds: settings.leaseSeconds,
    start,
    concurrency: 4,
  };
  if (contender === "pg-boss") await seedPgBoss({ ...base, worker: -1, log: "" });
  if (contender === "graphile-worker") await seedGraphile({ ...base, worker: -1, log: "" });
  const commitsBefore = await commits(url.toString());
  const pgCpuBefore = postgresCpuSeconds();
  const logs: string[] = [];
  const children: ChildProcess[] = [];
  for (let worker = 0; worker < settings.workers; worker += 1) {
    const log = join(work, `${contender}-${worker}.jsonl`);
    logs.push(log);
    children.push(
      spawn(process.execPath, [fileURLToPath(import.meta.url), "--child", JSON.stringify({ ...base, worker, log })], {
        stdio: ["ignore", "ignore", "inherit"],
      }),
    );
  }
  const end = start + settings.minutes * 60_000;
  process.stderr.write(
    `job-queues: ${contender}, ${settings.workers} workers, ${settings.pipelines} pipelines every ${settings.everyMs / 1000} s, ${settings.minutes} min…\n`,
  );
  // Halfway, SIGKILL worker 0 while it is inside a run.
  await sleep(Math.max(0, start + (end - start) / 2 - Date.now()));
  for (let tries = 0; tries < 200; tries += 1) {
    const open = runsOf([logs[0] as string], -1, 0).filter((run) => run.end === Number.POSITIVE_INFINITY);
    if (open.length > 0) break;
    await sleep(50);
  }
  const killedCpu = cpuSeconds(children[0]?.pid);
  children[0]?.kill("SIGKILL");
  const killedAt = Date.now();
  await sleep(Math.max(0, end - Date.now()));
  const workerCpu = killedCpu + children.slice(1).reduce((sum, child) => sum + cpuSeconds(child.pid), 0);
  const pgCpu = postgresCpuSeconds() - pgCpuBefore;
  const commitCount = (await commits(url.toString())) - commitsBefore;
  for (const child of children) child.kill("SIGKILL");

  const runs = runsOf(logs, 0, killedAt);
  const finished = runs.filter((run) => run.start <= end);
  // Each due time of each pipeline up to two intervals before the end must have run.
  let missed = 0;
  let doubles = 0;
  let overlaps = 0;
  const takeovers: number[] = [];
  for (let index = 1; index <= settings.pipelines; index += 1) {
    const name = pipelineName(index);
    const mine = finished.filter((run) => run.pipeline === name);
    for (
      let due = firstDue({ start, everyMs: settings.everyMs, pipelines: settings.pipelines }, index);
      due < end - 2 * settings.everyMs;
      due += settings.everyMs
    ) {
      const ofDue = mine.filter((run) => run.due === due);
      if (ofDue.length === 0) missed += 1;
      // A retry of a killed run is not a double; a second run of a due time that had finished is.
      if (ofDue.filter((run) => !run.killed).length > 1) doubles += ofDue.filter((run) => !run.killed).length - 1;
    }
    for (let at = 1; at < mine.length; at += 1) {
      const previous = mine.slice(0, at).reduce((latest, run) => Math.max(latest, run.end), 0);
      if ((mine[at] as Run).start < previous) overlaps += 1;
    }
    if (mine.some((run) => run.killed)) {
      const after = mine.find((run) => run.start > killedAt);
      takeovers.push(after === undefined ? Number.POSITIVE_INFINITY : (after.start - killedAt) / 1000);
    }
  }
  const completed = finished.filter((run) => !run.killed && run.end !== Number.POSITIVE_INFINITY).length;
  const lags = finished.map((run) => (run.start - run.due) / 1000);
  const killedRuns = finished.filter((run) => run.killed).length;
  const takeover =
    takeovers.length === 0
      ? "no run was cut"
      : takeovers.some((seconds) => seconds === Number.POSITIVE_INFINITY)
        ? `not within the test (${takeovers.filter((seconds) => seconds === Number.POSITIVE_INFINITY).length} of ${takeovers.length} pipelines never ran again)`
        : `${Math.max(...takeovers).toFixed(1)} s (longest of ${takeovers.length})`;
  return {
    contender,
    runs: finished.length,
    killedRuns,
    doubles,
    overlaps,
    missed,
    lagP50: percentile(lags, 50),
    lagP99: percentile(lags, 99),
    takeover,
    commitsPerRun: commitCount / Math.max(1, completed),
    workerCpuPerRun: workerCpu / Math.max(1, completed),
    postgresCpuPerRun: pgCpu / Math.max(1, completed),
  };
}

async function main(): Promise<void> {
  const childAt = args.indexOf("--child");
  if (childAt >= 0) {
    await startWorker(JSON.parse(args[childAt + 1] as string) as WorkerOptions);
    return;
  }
  const settings = {
    workers: option("workers", 3),
    pipelines: option("pipelines", 60),
    everyMs: option("every", 30) * 1000,
    minutes: option("minutes", 3),
    runMs: option("run-ms", 2000),
    leaseSeconds: option("lease", 15),
  };
  const root = findRoot();
  const given = process.env["AGORA_BENCH_POSTGRES_URL"];
  const server = given === undefined ? await startThrowawayPostgres(root) : undefined;
  if (server !== undefined && server.url === undefined) throw new Error(server.reason);
  const url = given ?? (server?.url as string);
  const work = mkdtempSync(join(tmpdir(), "agora-queues-"));
  try {
    const outcomes: Outcome[] = [];
    for (const contender of contenders()) outcomes.push(await measure(contender, url, settings, work));
    const line = (label: string, value: (outcome: Outcome) => string): string => `| ${label} | ${outcomes.map(value).join(" | ")} |`;
    console.log(
      [
        `${settings.workers} workers, ${settings.pipelines} pipelines every ${settings.everyMs / 1000} s, runs of ${settings.runMs / 1000} s, lease/expiry ${settings.leaseSeconds} s, ${settings.minutes} min each; worker 0 SIGKILLed mid-run halfway.`,
        "",
        `| measure | ${outcomes.map((outcome) => outcome.contender).join(" | ")} |`,
        `| --- | ${outcomes.map(() => "---:").join(" | ")} |`,
        line("runs started", (o) => String(o.runs)),
        line("runs cut by the SIGKILL", (o) => String(o.killedRuns)),
        line("due times run twice", (o) => String(o.doubles)),
        line("overlapping runs of one pipeline", (o) => String(o.overlaps)),
        line("due times never run", (o) => String(o.missed)),
        line("schedule lag p50 / p99", (o) => `${o.lagP50.toFixed(2)} s / ${o.lagP99.toFixed(2)} s`),
        line("cut pipeline running again after the kill", (o) => o.takeover),
        line("Postgres commits per run", (o) => o.commitsPerRun.toFixed(1)),
        line("worker CPU per run", (o) => `${(o.workerCpuPerRun * 1000).toFixed(0)} ms`),
        line("Postgres CPU per run", (o) => `${(o.postgresCpuPerRun * 1000).toFixed(0)} ms`),
      ].join("\n"),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (server !== undefined && server.url !== undefined) server.stop();
  }
}

await main();
process.exit(0);
