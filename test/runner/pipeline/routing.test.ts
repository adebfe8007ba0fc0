import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { MemoryStateStore, type StateStore } from "../../../runner/index.js";
import { runInProcess } from "../../helpers/in-process-run.js";
import { CLASSIC_TARGET_PY, agora, range } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-routing-");

/*
 * Renames and routes are the run core's: these runs go through it in the test's process (the tap
 * and targets are real processes), on a store in memory. The project file's own check of a route
 * (exit code 3, naming the setting) goes through `agora`.
 */
const checkpointOf = async (store: StateStore): Promise<unknown> => (await store.getCheckpoint("p"))?.state;
const CLASSIC_TARGET = `python3 ${CLASSIC_TARGET_PY}`;

type Row = { id: number; total?: number };
const rows = (dir: string, folder: string, stream: string): Row[] => {
  const file = join(dir, folder, `${stream}.jsonl`);
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Row)
    : [];
};
const ids = (list: readonly Row[]): number[] => list.map((row) => row.id);

function routedProject(dir: string, warehouseExtra: Record<string, unknown> = {}): string {
  return pipelineProject(dir, {
    tap: { command: "tap-sample", config: { users: 40, orders: 30, state_every_records: 5 } },
    middleware: [{ type: "rename_stream", from: "orders", to: "sales_orders" }],
    targets: [
      { command: CLASSIC_TARGET, config: { destination: "warehouse", flush_every: 5, ...warehouseExtra } },
      { command: "target-jsonl", config: { destination_path: "archive" }, streams: ["sales_*"], where: "total > 100" },
    ],
  });
}

describe("stream renames and routing to targets", () => {
  it("renames a stream for every target, and sends a routed target only its streams and records", async () => {
    const dir = routedProject(join(root, "routed"));
    const { result, log, store } = await runInProcess(dir);
    expect(result.status, log).toBe("succeeded");
    expect(ids(rows(dir, "warehouse", "users"))).toEqual(range(40));
    expect(ids(rows(dir, "warehouse", "sales_orders"))).toEqual(range(30));
    expect(existsSync(join(dir, "warehouse", "orders.jsonl"))).toBe(false);
    // The archive: orders only, under their new name, and only those over 100.
    const expensive = rows(dir, "warehouse", "sales_orders").filter((row) => (row.total ?? 0) > 100);
    expect(expensive.length).toBeGreaterThan(0);
    expect(expensive.length).toBeLessThan(30);
    expect(rows(dir, "archive", "sales_orders")).toEqual(expensive);
    expect(existsSync(join(dir, "archive", "users.jsonl"))).toBe(false);
    // Bookmarks keep the tap's stream names: the tap reads them back.
    expect(await checkpointOf(store)).toEqual({ bookmarks: { users: { rows: 40 }, orders: { rows: 30 } } });
  });

  it("a target routed nothing of a stream neither holds the checkpoint back nor lets it pass another target's rows, under a SIGKILL", async () => {
    const dir = routedProject(join(root, "killed"), { kill_self_after: 13 });
    const store = new MemoryStateStore();
    const killed = await runInProcess(dir, "p", store);
    expect(killed.result.status).toBe("failed");
    expect(killed.result.failure?.message).toContain("killed by SIGKILL");
    // The warehouse made rows 1-10 durable and confirmed them; the archive got none of them, only
    // the STATEs, and confirmed those: the checkpoint is exactly the warehouse's, not 0 and not past it.
    expect(ids(rows(dir, "warehouse", "users"))).toEqual(range(10));
    expect(await checkpointOf(store)).toEqual({ bookmarks: { users: { rows: 10 } } });

    routedProject(dir);
    const resumed = await runInProcess(dir, "p", store);
    expect(resumed.result.status, resumed.log).toBe("succeeded");
    expect(ids(rows(dir, "warehouse", "users"))).toEqual(range(40));
    expect(ids(rows(dir, "warehouse", "sales_orders"))).toEqual(range(30));
    // The archive may have written orders the failed run read before it stopped: they come again
    // (at least once), and every one over 100 is there, none other.
    const expensive = rows(dir, "warehouse", "sales_orders").filter((row) => (row.total ?? 0) > 100);
    expect([...new Set(ids(rows(dir, "archive", "sales_orders")))].sort((a, b) => a - b)).toEqual(ids(expensive));
    expect(rows(dir, "archive", "sales_orders").slice(-expensive.length)).toEqual(expensive);
    expect(await checkpointOf(store)).toEqual({ bookmarks: { users: { rows: 40 }, orders: { rows: 30 } } });
  });

  it("refuses a rename that gives two streams one name, naming both", async () => {
    const dir = pipelineProject(join(root, "collision"), {
      tap: { command: "tap-sample", config: { users: 3, orders: 2 } },
      middleware: [{ type: "rename_stream", from: "orders", to: "users" }],
      target: { command: "target-jsonl", config: { destination_path: "out" } },
    });
    const { result } = await runInProcess(dir);
    expect(result.status).toBe("failed");
    expect(result.failure?.message).toContain('streams "users" and "orders" would both reach the targets as "users"');
    expect(result.failure?.code).toBe("STREAM_NAME_TAKEN");
  });

  it("checks a route's where expression before the run", async () => {
    const dir = pipelineProject(join(root, "bad-where"), {
      tap: { command: "tap-sample", config: { users: 3 } },
      targets: [{ command: "target-jsonl", config: { destination_path: "out" }, where: "total >" }],
    });
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('pipelines.p.targets[0].where: unexpected end at position 8 of "total >"');
  });
});
