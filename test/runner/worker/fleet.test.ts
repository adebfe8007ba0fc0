import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeProject, type ProjectSpec } from "../../helpers/pipeline-project.js";
import { AGORA, agora, waitFor } from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { freshPostgresStore, postgresUrl } from "../../helpers/postgres.js";

/**
 * Several `agora worker` processes, each in a project folder of its own (as
 * on hosts of their own), sharing one Postgres state store.
 */
const url = postgresUrl();
const root = tempDir("agora-fleet-");

interface Run {
  id: string;
  status: string;
  startedAt: string;
  endedAt?: string;
  errorCode?: string;
  progress: Record<string, { read: number }>;
}

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  stderr(): string;
}

function startWorker(dir: string, store: string): Worker {
  const child = spawn(process.execPath, [AGORA, "worker"], { cwd: dir, stdio: "pipe", env: { ...process.env, AGORA_STATE_STORE: store } });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

async function runsOf(dir: string, store: string): Promise<Run[]> {
  const result = await agora(dir, ["--json", "runs", "list", "p", "--limit", "1000"], { AGORA_STATE_STORE: store });
  return (JSON.parse(result.stdout) as Run[]).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

const succeeded = (workers: Worker[]): number => workers.reduce((sum, worker) => sum + worker.stderr().split("pipeline p succeeded").length - 1, 0);

describe.skipIf(url === undefined)("a fleet of workers on one Postgres state store", () => {
  it("fires each due time of a schedule once across three workers: runs never overlap, and none follows another before the interval", async () => {
    const store = freshPostgresStore(url as string, "fleet");
    const out = join(root, "every-out");
    // A short lease: a worker that finds p busy looks again within a second.
    const project: ProjectSpec = {
      worker: { lease_seconds: 3 },
      pipelines: {
        p: {
          tap: { command: "tap-sample", config: { users: 3, orders: 0 } },
          target: { command: "target-jsonl", config: { destination_path: out } },
          schedule: { every: "2s" },
        },
      },
    };
    const workers = ["a", "b", "c"].map((host) => startWorker(writeProject(join(root, `every-${host}`), project), store));
    await waitFor(() => succeeded(workers) >= 4, 40_000, "four runs across the fleet");
    for (const worker of workers) worker.child.kill("SIGTERM");
    await Promise.all(workers.map((worker) => exited(worker.child)));

    const runs = (await runsOf(join(root, "every-a"), store)).filter((run) => run.status === "succeeded");
    expect(runs.length).toBeGreaterThanOrEqual(4);
    for (let index = 1; index < runs.length; index += 1) {
      const gap = Date.parse(runs[index]?.startedAt ?? "") - Date.parse(runs[index - 1]?.endedAt ?? "");
      // Every 2 s from the end of the last run: a second worker running it as soon as the first let go would show as a gap near 0.
      expect(gap, `run ${index} started ${gap} ms after the one before ended`).toBeGreaterThanOrEqual(1900);
    }
  }, 60_000);

  it("a worker SIGKILLed mid-run: another takes its pipeline over and resumes from the last confirmed checkpoint, losing nothing", async () => {
    const store = freshPostgresStore(url as string, "takeover");
    const out = join(root, "takeover-out");
    const project: ProjectSpec = {
      worker: { lease_seconds: 3 },
      pipelines: {
        p: {
          tap: { command: "tap-sample", config: { users: 150000, orders: 0, state_every_records: 1000 } },
          target: { command: "target-jsonl", config: { destination_path: out, batch_size_rows: 1000 } },
          schedule: { every: "1h" },
        },
      },
    };
    const dirs = ["a", "b"].map((host) => writeProject(join(root, `takeover-${host}`), project));
    const workers = dirs.map((dir) => startWorker(dir, store));
    // The worker holding the lease, once its run has saved a checkpoint.
    let holder: Worker | undefined;
    const deadline = Date.now() + 30_000;
    while (holder === undefined && Date.now() < deadline) {
      const listed = JSON.parse((await agora(dirs[0] as string, ["--json", "worker", "--list"], { AGORA_STATE_STORE: store })).stdout) as Array<{
        heldBy: string | null;
      }>;
      const state = await agora(dirs[0] as string, ["state", "show", "p"], { AGORA_STATE_STORE: store });
      const pid = listed[0]?.heldBy?.split(":")[1];
      if (pid !== undefined && state.exitCode === 0 && state.stdout.includes('"rows"')) holder = workers.find((worker) => String(worker.child.pid) === pid);
    }
    expect(holder, "a worker holding p with a checkpoint saved").toBeDefined();
    const killed = holder as Worker;
    const other = workers.find((worker) => worker !== killed) as Worker;
    killed.child.kill("SIGKILL");
    await exited(killed.child);

    await waitFor(() => other.stderr().includes("pipeline p succeeded"), 40_000, "the other worker's run");
    other.child.kill("SIGTERM");
    await exited(other.child);

    const runs = await runsOf(dirs[0] as string, store);
    expect(runs.map((run) => [run.status, run.errorCode ?? null])).toEqual([
      ["failed", "RUN_ABANDONED"],
      ["succeeded", null],
    ]);
    expect(other.stderr()).toContain("resuming from the checkpoint");
    // Resumed, not started over: the second run read fewer users than there are.
    expect(runs[1]?.progress["users"]?.read ?? 0).toBeLessThan(150000);
    const ids = new Set(
      readFileSync(join(out, "users.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { id: number }).id),
    );
    expect(ids.size).toBe(150000);
    expect([...ids].every((id) => Number.isInteger(id) && id >= 1 && id <= 150000)).toBe(true);
  }, 90_000);
});
