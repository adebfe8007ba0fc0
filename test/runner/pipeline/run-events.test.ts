import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../protocol/index.js";
import { projectFromValue, resolvePipeline, RunEvents, runPipeline, type RunPhase } from "../../../runner/index.js";
import { MemoryStateStore } from "../../../runner/state/memory/memory-state-store.js";
import { tempDir } from "../../helpers/processes.js";

const dir = tempDir("agora-run-events-");

describe("a run's events", () => {
  it("publishes progress, each checkpoint and its phases, on a store in memory", async () => {
    const project = projectFromValue(
      {
        pipelines: {
          p: {
            tap: { command: "tap-sample", config: { users: 30, orders: 0, state_every_records: 10 } },
            target: { command: "target-jsonl", config: { destination_path: "out", batch_size_rows: 10 } },
          },
        },
      },
      join(dir, "pipelines.toml"),
    );
    const store = new MemoryStateStore();
    const events = new RunEvents();
    const checkpoints: unknown[] = [];
    const phases: Array<RunPhase["kind"]> = [];
    let lastTotal = 0;
    events.on("checkpoint", (state) => checkpoints.push(state));
    events.on("phase", (phase) => phases.push(phase.kind));
    events.on("progress", (_read, total) => (lastTotal = total));
    const result = await runPipeline(resolvePipeline(project, "p"), { store, logger: createLogger("agora", "silent"), events });
    expect(result.status).toBe("succeeded");
    expect(lastTotal).toBe(30);
    // Confirmed in order; the last is the tap's last STATE, and the store holds it.
    expect(checkpoints.at(-1)).toEqual({ bookmarks: { users: { rows: 30 } } });
    expect((await store.getCheckpoint("p"))?.state).toEqual(checkpoints.at(-1));
    expect(phases.slice(-2)).toEqual(["tap_exiting", "targets_finishing"]);
    expect((await store.getRun(result.runId))?.status).toBe("succeeded");
  });
});
