import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeProject } from "../../helpers/pipeline-project.js";
import { AGORA, agora, PY_TAP, PY_TARGET, range, savedCheckpoint, storedIds, waitFor } from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-worker-");

interface Run {
  id: string;
  pipeline: string;
  status: string;
  startedAt: string;
  endedAt?: string;
}

async function runsOf(dir: string, pipeline?: string): Promise<Run[]> {
  const result = await agora(dir, ["--json", "runs", "list", ...(pipeline === undefined ? [] : [pipeline]), "--limit", "1000"]);
  return JSON.parse(result.stdout) as Run[];
}

/** Starts `agora worker` and resolves once its health server listens, with its base URL. */
async function startWorker(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [AGORA, "worker", "--port", "0", ...args], { cwd: dir, stdio: "pipe", env: { ...process.env, ...env } });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => /health server on http:\/\/[\d.]+:\d+/.test(stderr), 10_000, "the health server");
  const url = (/health server on (http:\/\/[\d.]+:\d+)/.exec(stderr) as RegExpExecArray)[1] as string;
  return { child, url, stderr: () => stderr };
}

/** The project's connectors: tap-sample as "sample" (its users), target-sqlite as "db". */
const sample = (users: number) => ({
  sample: { command: "tap-sample", config: { users, orders: 0, state_every_records: 10 } },
  db: { command: "target-sqlite", config: { database: "out.db" } },
});

/** A project of one pipeline, users, from sample to db on this schedule. */
const usersOn = (dir: string, users: number, schedule: Record<string, unknown>): string =>
  writeProject(dir, { connectors: sample(users), pipelines: { users: { tap: "sample", target: "db", schedule } } });

/** Python's items tap into Python's store target, runs back to back. */
const pythonItems = (dir: string, tap: Record<string, unknown>, target: Record<string, unknown>): string =>
  writeProject(dir, {
    connectors: { items: { command: `python3 ${PY_TAP}`, config: tap }, store: { command: `python3 ${PY_TARGET}`, config: target } },
    pipelines: { items: { tap: "items", target: "store", schedule: { continuous: true } } },
  });

describe("agora worker", () => {
  it("runs a pipeline scheduled every second again and again, and stops on SIGTERM", async () => {
    const dir = usersOn(join(root, "every"), 20, { every: "1s" });
    const worker = await startWorker(dir);
    await waitFor(() => worker.stderr().split("pipeline users succeeded").length - 1 >= 3, 15_000, "three runs");
    worker.child.kill("SIGTERM");
    expect((await exited(worker.child)).code).toBe(143);
    const runs = await runsOf(dir, "users");
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((run) => run.status === "succeeded")).toBe(true);
  });

  it("backs off a failing pipeline and stops it after max_consecutive_errors; /ready then says 503", async () => {
    const dir = writeProject(join(root, "failing"), {
      connectors: sample(20),
      pipelines: {
        broken: {
          tap: { command: "bash -c 'echo tap-broken error: no source >&2; exit 1'" },
          target: "db",
          schedule: { every: "1s", max_consecutive_errors: 3, error_backoff_seconds: 0.2 },
        },
        fine: { tap: "sample", target: "db", schedule: { every: "1h" } },
      },
    });
    const worker = await startWorker(dir);
    await waitFor(() => worker.stderr().includes("pipeline broken stopped after 3 consecutive failed runs"), 15_000, "the pipeline to stop");
    expect(worker.stderr()).toMatch(/pipeline broken failed \(1 in a row, [A-Z_]+\); next try in 0\.[12]\d* s/);
    expect(worker.stderr()).toMatch(/pipeline broken failed \(2 in a row, [A-Z_]+\); next try in 0\.[234]\d* s/);
    const ready = await fetch(`${worker.url}/ready`);
    expect(ready.status).toBe(503);
    const health = (await (await fetch(`${worker.url}/health`)).json()) as {
      status: string;
      pipelines: Record<string, { state: string; consecutiveErrors: number; lastRun: { status: string; error: string } }>;
    };
    expect(health.status).toBe("degraded");
    expect(health.pipelines["broken"]).toMatchObject({ state: "stopped", consecutiveErrors: 3, lastRun: { status: "failed" } });
    expect(health.pipelines["broken"]?.lastRun.error).toContain("it said: tap-broken error: no source");
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toContain('agora_run_failures_total{pipeline="broken"} 3');
    expect(metrics).toContain('agora_consecutive_errors{pipeline="broken"} 3');
    // The process's own metrics, prefixed once.
    expect(metrics).toMatch(/^agora_process_resident_memory_bytes \d+/m);
    expect(metrics).toContain("agora_nodejs_eventloop_lag_seconds");
    expect(metrics).not.toContain("agora_process_process_");
    worker.child.kill("SIGTERM");
    await exited(worker.child);
    expect((await runsOf(dir, "broken")).map((run) => run.status)).toEqual(["failed", "failed", "failed"]);
  });

  it("serves /health, /ready and /metrics, behind a bearer token when one is set", async () => {
    const dir = usersOn(join(root, "health"), 30, { every: "1h" });
    const worker = await startWorker(dir, [], { AGORA_HEALTH_AUTH_TOKEN: "s3cret" });
    await waitFor(() => worker.stderr().includes("pipeline users succeeded"), 10_000, "the first run");
    for (const path of ["/health", "/ready", "/metrics"]) {
      const denied = await fetch(`${worker.url}${path}`, { headers: { authorization: "Bearer wrong" } });
      expect(denied.status).toBe(401);
      expect(await denied.text()).toBe("unauthorized\n");
      expect((await fetch(`${worker.url}${path}`)).status).toBe(401);
    }
    // The scheme in any case, as HTTP has it.
    expect((await fetch(`${worker.url}/ready`, { headers: { authorization: "bearer s3cret" } })).status).toBe(200);
    const auth = { headers: { authorization: "Bearer s3cret" } };
    const health = (await (await fetch(`${worker.url}/health`, auth)).json()) as { status: string; pipelines: Record<string, Record<string, unknown>> };
    expect(health.status).toBe("ok");
    expect(health.pipelines["users"]).toMatchObject({ state: "waiting", schedule: "every 1h", consecutiveErrors: 0, lastRun: { status: "succeeded" } });
    expect(Date.parse(String(health.pipelines["users"]?.["nextRun"])) - Date.now()).toBeGreaterThan(3500 * 1000);
    expect(health.pipelines["users"]?.["lastCheckpointAgeSeconds"]).toBeLessThan(30);
    expect((await fetch(`${worker.url}/ready`, auth)).status).toBe(200);
    const metrics = await (await fetch(`${worker.url}/metrics`, auth)).text();
    expect(metrics).toContain('agora_records_read_total{pipeline="users",stream="users"} 30');
    expect(metrics).toContain('agora_records_written_total{pipeline="users",stream="users"} 30');
    expect(metrics).toContain('agora_target_records_total{pipeline="users",target="db",outcome="written"} 30');
    expect(metrics).toMatch(/agora_last_success_timestamp_seconds\{pipeline="users"\} \d+/);
    expect(metrics).toMatch(/agora_checkpoint_age_seconds\{pipeline="users"\} [\d.]+/);
    expect(metrics).toContain('agora_run_duration_seconds_count{pipeline="users",status="succeeded"} 1');
    worker.child.kill("SIGINT");
    expect((await exited(worker.child)).code).toBe(130);
  });

  it("refuses an empty health token instead of serving without one", async () => {
    const dir = usersOn(join(root, "empty-token"), 3, { every: "1h" });
    const fromEnv = await agora(dir, ["worker", "--port", "0"], { AGORA_HEALTH_AUTH_TOKEN: "" });
    expect(fromEnv.exitCode).toBe(3);
    expect(fromEnv.stderr).toContain("the health token is empty (AGORA_HEALTH_AUTH_TOKEN)");
    const fromFlag = await agora(dir, ["worker", "--port", "0", "--health-token", ""]);
    expect(fromFlag.exitCode).toBe(3);
    expect(fromFlag.stderr).toContain("the health token is empty (--health-token)");
  });

  it("warns when it serves a non-loopback address without a token", async () => {
    const dir = usersOn(join(root, "open-host"), 3, { every: "1h" });
    const worker = await startWorker(dir, ["--host", "0.0.0.0"]);
    await waitFor(() => worker.stderr().includes("without a token"), 10_000, "the warning");
    expect(worker.stderr()).toContain("the health server listens on 0.0.0.0 without a token");
    worker.child.kill("SIGTERM");
    await exited(worker.child);
  });

  it("on SIGTERM during a run, stops it safely after the graceful timeout, keeping its confirmed checkpoint", async () => {
    const dir = pythonItems(join(root, "graceful"), { count: 3000, state_every: 10, delay_ms: 2 }, { database: "dest.db", batch_size: 10 });
    const worker = await startWorker(dir, ["--graceful-timeout", "0.5"]);
    const position = (): number => (savedCheckpoint(dir, "items") as { bookmarks: { items: { position: number } } } | undefined)?.bookmarks.items.position ?? 0;
    await waitFor(() => position() >= 50, 15_000, "a checkpoint");
    worker.child.kill("SIGTERM");
    expect((await exited(worker.child)).code).toBe(143);
    expect(worker.stderr()).toContain("graceful shutdown timeout: stopping items");
    const [run] = await runsOf(dir, "items");
    expect(run?.status).toBe("stopped");
    const saved = position();
    expect(saved).toBeGreaterThanOrEqual(50);
    expect(storedIds(join(dir, "dest.db")).length).toBeGreaterThanOrEqual(saved);
    expect((await agora(dir, ["run", "items"])).exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(3000));
  });

  it("two workers on one state store never run the same pipeline at the same time", async () => {
    const dir = pythonItems(join(root, "two"), { count: 40, state_every: 10, delay_ms: 5 }, { database: "dest.db" });
    const first = await startWorker(dir);
    const second = await startWorker(dir);
    await waitFor(() => first.stderr().split("succeeded").length + second.stderr().split("succeeded").length - 2 >= 6, 30_000, "six runs");
    first.child.kill("SIGTERM");
    second.child.kill("SIGTERM");
    await Promise.all([exited(first.child), exited(second.child)]);
    const runs = (await runsOf(dir, "items")).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    expect(runs.length).toBeGreaterThanOrEqual(6);
    for (let index = 1; index < runs.length; index += 1) {
      expect((runs[index]?.startedAt ?? "") >= (runs[index - 1]?.endedAt ?? "~")).toBe(true);
    }
  });

  it("runs a once pipeline at each start of the worker, and then exits by itself", async () => {
    const dir = usersOn(join(root, "once"), 3, { once: true });
    for (let start = 1; start <= 2; start += 1) {
      const worker = spawn(process.execPath, [AGORA, "worker"], { cwd: dir, stdio: "pipe" });
      expect((await exited(worker)).code).toBe(0);
      expect((await runsOf(dir, "users")).map((run) => run.status)).toEqual(Array.from({ length: start }, () => "succeeded"));
    }
  });

  it("--list shows pipelines, schedules and next runs without starting anything", async () => {
    const dir = writeProject(join(root, "list"), {
      connectors: sample(5),
      pipelines: { a: { tap: "sample", target: "db", schedule: { cron: "0 3 * * *" } }, b: { tap: "sample", target: "db" } },
    });
    const listed = JSON.parse((await agora(dir, ["--json", "worker", "--list"])).stdout) as Array<{
      pipeline: string;
      schedule: string;
      nextRun: string | null;
    }>;
    expect(listed.map((row) => [row.pipeline, row.schedule])).toEqual([
      ["a", "cron 0 3 * * *"],
      ["b", "not scheduled"],
    ]);
    expect(new Date(listed[0]?.nextRun ?? "").getMinutes()).toBe(0);
    expect(await runsOf(dir)).toEqual([]);
  });
});
