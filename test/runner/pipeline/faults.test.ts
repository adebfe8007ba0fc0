import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  agora,
  childPids,
  injectFault,
  projectIn,
  PY_TAP,
  PY_TARGET,
  range,
  savedCheckpoint,
  startAgora,
  startAgoraInGroup,
  storedIds,
  waitFor,
} from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { writeProject } from "../../helpers/pipeline-project.js";

/**
 * Fault injection through the real CLI and real processes (a Python tap and
 * target). After each fault, a second run completes and the destination
 * holds every source row exactly once.
 */
const root = tempDir("agora-faults-");
let projects = 0;

function itemsProject(options: { count?: number; delayMs?: number; onError?: "dlq" | "skip" | "fail" } = {}): string {
  projects += 1;
  const dir = join(root, `p${projects}`);
  return writeProject(dir, {
    connectors: {
      items: {
        command: `python3 ${PY_TAP}`,
        config: { count: options.count ?? 300, state_every: 10, control_file: "fault.json", delay_ms: options.delayMs ?? 0 },
      },
      store: { command: `python3 ${PY_TARGET}`, config: { database: "dest.db", batch_size: 25 } },
    },
    pipelines: { items: { tap: "items", targets: ["store"], onError: options.onError ?? "dlq" } },
  });
}

const position = (dir: string): number | undefined =>
  (savedCheckpoint(dir, "items") as { bookmarks: { items: { position: number } } } | undefined)?.bookmarks.items.position;

describe("a tap that exits 1 after some records", () => {
  it("fails with one line naming it and what it said, keeps the confirmed checkpoint, and the next run completes exactly once", async () => {
    const dir = itemsProject();
    injectFault(dir, { fail_after: 137 });
    const failed = await agora(dir, ["run", "items"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(
      "pipeline items, items: the tap exited with code 1 before finishing its output; it said: tap-items error: the source went away after record 137",
    );
    expect(position(dir)).toBe(130);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(137));
    const second = await agora(dir, ["run", "items"]);
    expect(second.exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(300));
    expect(position(dir)).toBe(300);
  });
});

describe("malformed JSON from the tap at line N", () => {
  it("names the connector and line, and the next run completes exactly once", async () => {
    const dir = itemsProject();
    injectFault(dir, { malformed_at: 57 });
    const failed = await agora(dir, ["run", "items"]);
    expect(failed.exitCode).toBe(1);
    // SCHEMA is line 1 and a STATE follows every 10 records, so record 57 is on line 63.
    expect(failed.stderr).toMatch(/pipeline items, items, line 63: invalid JSON .*\[INVALID_JSON\]/);
    expect(position(dir)).toBe(50);
    expect((await agora(dir, ["run", "items"])).exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(300));
  });
});

describe("a target killed with SIGKILL mid-stream", () => {
  it("fails the run without saving past what it made durable; the next run completes exactly once", async () => {
    const dir = itemsProject({ count: 2000, delayMs: 1 });
    const runner = startAgora(dir, ["run", "items"]);
    let stderr = "";
    runner.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => (position(dir) ?? 0) >= 100, 20_000, "a first checkpoint");
    const [target] = childPids(runner.pid as number, "target_items.py");
    process.kill(target as number, "SIGKILL");
    expect((await exited(runner)).code).toBe(1);
    expect(stderr).toMatch(/pipeline items, store: the target was killed by SIGKILL while receiving data/);
    const saved = position(dir) as number;
    expect(storedIds(join(dir, "dest.db")).length).toBeGreaterThanOrEqual(saved);
    const second = await agora(dir, ["run", "items"]);
    expect(second.exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(2000));
  });
});

describe("the runner killed with SIGKILL mid-stream", () => {
  it("loses nothing: the next run resumes from the last saved checkpoint and completes exactly once", async () => {
    const dir = itemsProject({ count: 2000, delayMs: 1 });
    const runner = startAgora(dir, ["run", "items"]);
    await waitFor(() => (position(dir) ?? 0) >= 100, 20_000, "a first checkpoint");
    runner.kill("SIGKILL");
    await exited(runner);
    const saved = position(dir) as number;
    expect(saved).toBeLessThan(2000);
    // The orphaned tap and target notice the closed pipes and end; then run again.
    const second = await agora(dir, ["run", "items"]);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain("1 earlier run(s) never finished");
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(2000));
    const runs = JSON.parse((await agora(dir, ["--json", "runs", "list", "items"])).stdout) as Array<{ status: string; error?: string }>;
    expect(runs.map((run) => run.status)).toEqual(["succeeded", "failed"]);
    expect(runs[1]?.error).toContain("the runner stopped without finishing this run");
  });
});

describe("SIGINT and SIGTERM to the runner", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const)("%s stops the run safely, saves the confirmed checkpoint and exits %i", async (signal, code) => {
    const dir = itemsProject({ count: 2000, delayMs: 1 });
    const runner = startAgora(dir, ["run", "items"]);
    let stderr = "";
    runner.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => (position(dir) ?? 0) >= 50, 20_000, "a first checkpoint");
    runner.kill(signal);
    expect((await exited(runner)).code).toBe(code);
    expect(stderr).toContain(`${signal} received`);
    expect(stderr).toMatch(/pipeline items stopped in/);
    const saved = position(dir) as number;
    expect(storedIds(join(dir, "dest.db")).length).toBeGreaterThanOrEqual(saved);
    expect((await agora(dir, ["run", "items"])).exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(2000));
  });
});

describe("Ctrl-C in a terminal", () => {
  it("SIGINT to the whole process group stops the run in order: 130, targets confirm, the checkpoint is saved", async () => {
    const dir = itemsProject({ count: 2000, delayMs: 1 });
    const runner = startAgoraInGroup(dir, ["run", "items"]);
    let stderr = "";
    runner.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => (position(dir) ?? 0) >= 50, 20_000, "a first checkpoint");
    // What a terminal does on Ctrl-C: the signal goes to every process of the foreground group.
    process.kill(-(runner.pid as number), "SIGINT");
    expect((await exited(runner)).code).toBe(130);
    expect(stderr).toContain("SIGINT received");
    expect(stderr).not.toContain("killed by SIGINT");
    expect(stderr).toMatch(/pipeline items stopped in/);
    const saved = position(dir) as number;
    expect(saved).toBeGreaterThanOrEqual(50);
    expect(storedIds(join(dir, "dest.db")).length).toBeGreaterThanOrEqual(saved);
    expect((await agora(dir, ["run", "items"])).exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(2000));
  });
});

describe("a hung tap", () => {
  it("fails after the idle timeout, naming what it waited for", async () => {
    const dir = itemsProject();
    injectFault(dir, { hang_after: 20 });
    // Long enough for a loaded machine to start Python (the tap's first output counts as progress), short for a test.
    const failed = await agora(dir, ["run", "items", "--idle-timeout", "5"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("pipeline items: no progress for 5 s while waiting for the tap");
    expect(position(dir)).toBe(20);
    expect((await agora(dir, ["run", "items"])).exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(300));
  });
});

describe("a target that stops reading early", () => {
  it("fails the run with a clear line", async () => {
    const dir = join(root, "early");
    projectIn(dir, "");
    // 20,000 records (about 1.4 MB) cannot all sit in a pipe buffer: the tap is still writing when head exits.
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "big.json"), JSON.stringify({ count: 20000, state_every: 100 }));
    const result = await agora(dir, ["run", "--tap", `python3 ${PY_TAP} --config big.json`, "--target", "bash -c 'head -n 2 > /dev/null'"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /pipeline adhoc-[0-9a-f]{8}, bash: the target exited before the tap finished\. A target must read its input to the end; check its logs above\. \[TARGET_CLOSED_INPUT\]/,
    );
  });
});

describe("--max-records", () => {
  it("stops at the limit with a consistent checkpoint; the next run continues to the end exactly once", async () => {
    const dir = itemsProject();
    const bounded = await agora(dir, ["run", "items", "--max-records", "55"]);
    expect(bounded.exitCode).toBe(0);
    expect(bounded.stderr).toContain("reached max_records (55)");
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(55));
    expect(position(dir)).toBe(50);
    expect((await agora(dir, ["run", "items"])).exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(300));
  });
});

describe("our own connectors under the runner", () => {
  it("target-sqlite killed with SIGKILL mid-stream: the next run completes with every row exactly once", async () => {
    projects += 1;
    const dir = writeProject(join(root, `p${projects}`), {
      connectors: {
        sample: { command: "tap-sample", config: { users: 150000, orders: 0, state_every_records: 2000 } },
        db: { command: "target-sqlite", config: { database: "dest.db", batch_size_rows: 2000 } },
      },
      pipelines: { users: { tap: "sample", target: "db" } },
    });
    const rows = (): number => (savedCheckpoint(dir, "users") as { bookmarks: { users: { rows: number } } } | undefined)?.bookmarks.users.rows ?? 0;
    const runner = startAgora(dir, ["run", "users"]);
    await waitFor(() => rows() >= 4000, 20_000, "a first checkpoint");
    const [target] = childPids(runner.pid as number, "target-sqlite");
    process.kill(target as number, "SIGKILL");
    expect((await exited(runner)).code).toBe(1);
    const saved = rows();
    expect(saved).toBeLessThan(150000);
    expect(storedIds(join(dir, "dest.db"), "users").length).toBeGreaterThanOrEqual(saved);
    expect((await agora(dir, ["run", "users"])).exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"), "users")).toEqual(range(150000));
  });
});
