import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { childPids, injectFault, PY_TAP, PY_TARGET, range, savedCheckpoint, startAgora, storedIds, waitFor } from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-fanout-");
const position = (dir: string): number =>
  (savedCheckpoint(dir, "items") as { bookmarks: { items: { position: number } } } | undefined)?.bookmarks.items.position ?? 0;

function fanOutProject(name: string, count: number, slowMs: number): string {
  return writeProject(join(root, name), {
    connectors: {
      items: { command: `python3 ${PY_TAP}`, config: { count: count, state_every: 10, delay_ms: 1, control_file: "fault.json" } },
      fast: { command: `python3 ${PY_TARGET}`, config: { database: "fast.db", batch_size: 10, log_file: "fast.log" } },
      slow: { command: `python3 ${PY_TARGET}`, config: { database: "slow.db", batch_size: 10, slow_ms: slowMs } },
    },
    pipelines: { items: { tap: "items", targets: ["fast", "slow"] } },
  });
}

describe("fan-out to two targets", () => {
  it("never saves a checkpoint past the slower target, even when it is killed", async () => {
    const dir = fanOutProject("slow", 1000, 30);
    const runner = startAgora(dir, ["run", "items"]);
    await waitFor(() => storedIds(join(dir, "fast.db")).length >= 150 && position(dir) > 0, 30_000, "progress on both targets");
    const [slow] = childPids(runner.pid as number, "slow.config.json");
    process.kill(slow as number, "SIGKILL");
    expect((await exited(runner)).code).toBe(1);
    const saved = position(dir);
    const slowRows = storedIds(join(dir, "slow.db")).length;
    const fastRows = storedIds(join(dir, "fast.db")).length;
    // The checkpoint follows the slow target, not the fast one.
    expect(saved).toBeLessThanOrEqual(slowRows);
    expect(fastRows).toBeGreaterThan(saved);
    await runSucceeds(dir, "items");
    expect(storedIds(join(dir, "fast.db"))).toEqual(range(1000));
    expect(storedIds(join(dir, "slow.db"))).toEqual(range(1000));
  });

  it("passes unknown message types through to every target untouched", async () => {
    const dir = fanOutProject("unknown", 30, 0);
    injectFault(dir, { unknown_at: 5 });
    await runSucceeds(dir, "items");
    const received = readFileSync(join(dir, "fast.log"), "utf8").split("\n");
    expect(received).toContain('{"type": "X-TELEMETRY", "rows_so_far": 4}');
    expect(received.indexOf('{"type": "X-TELEMETRY", "rows_so_far": 4}')).toBe(received.findIndex((line) => line.includes('"id": 5,')) - 1);
  });
});
