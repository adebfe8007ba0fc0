import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TransientError } from "../../../protocol/index.js";
import { MemoryStateStore, type RunProgress } from "../../../runner/index.js";
import { runInProcess } from "../../helpers/in-process-run.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { tempDir } from "../../helpers/processes.js";

/*
 * The state store failing under a running pipeline, through the run core's store port: a store in
 * memory whose checkpoint saves start failing after a number of them, as a Postgres server that
 * goes away or a disk that fills would. Only a port shows this without breaking a real server.
 */

/** A store whose checkpoint saves fail (the server gone) from the `failFrom`th on. */
class FailingSaves extends MemoryStateStore {
  saves = 0;
  constructor(private readonly failFrom: number) {
    super();
  }

  override async saveCheckpoint(runId: string, pipeline: string, state: unknown, progress: RunProgress): Promise<void> {
    this.saves += 1;
    if (this.saves >= this.failFrom) throw new TransientError("STATE_STORE_UNAVAILABLE", "the state store could not save the checkpoint: the server went away");
    await super.saveCheckpoint(runId, pipeline, state, progress);
  }
}

const root = tempDir("agora-store-failure-");

describe("checkpoint saves that fail mid-run", () => {
  it("fail the run with the store's error; the saved checkpoint is the last one saved, and the run says the later ones were not", async () => {
    const dir = pipelineProject(join(root, "fails"), {
      tap: { command: "tap-sample", config: { users: 50, orders: 0, state_every_records: 10 } },
      target: { command: "target-jsonl", config: { destination_path: "out", batch_size_rows: 10 } },
    });
    const store = new FailingSaves(3);
    const { result, log } = await runInProcess(dir, "p", store);

    expect(result.status).toBe("failed");
    expect(result.failure).toMatchObject({ code: "STATE_STORE_UNAVAILABLE", kind: "transient" });
    // Two saves went through (10 and 20 users); the third, and any after it, did not.
    expect((await store.getCheckpoint("p"))?.state).toEqual({ bookmarks: { users: { rows: 20 } } });
    expect(result.checkpointUnsaved, JSON.stringify({ saves: store.saves, advanced: result.checkpointAdvanced, failure: result.failure, log })).toBe(true);
    // What the target made durable past the saved checkpoint stays: the next run sends it again (at least once).
    const written = readFileSync(join(dir, "out", "users.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(written.length).toBeGreaterThanOrEqual(20);
  });

  it("after the store is back, the next run resumes from the last saved checkpoint and ends with every record", async () => {
    const dir = pipelineProject(join(root, "resumes"), {
      tap: { command: "tap-sample", config: { users: 50, orders: 0, state_every_records: 10 } },
      target: { command: "target-jsonl", config: { destination_path: "out", batch_size_rows: 10 } },
    });
    const store = new FailingSaves(2);
    expect((await runInProcess(dir, "p", store)).result.status).toBe("failed");
    const resumedFrom = (await store.getCheckpoint("p"))?.state;
    expect(resumedFrom).toEqual({ bookmarks: { users: { rows: 10 } } });

    const healthy = new MemoryStateStore();
    await healthy.setCheckpoint("p", resumedFrom);
    const again = await runInProcess(dir, "p", healthy);
    expect(again.result.status).toBe("succeeded");
    // From user 11 on: the tap was handed the saved bookmark.
    expect(again.result.recordsRead).toBe(40);
    expect((await healthy.getCheckpoint("p"))?.state).toEqual({ bookmarks: { users: { rows: 50 } } });
    const ids = readFileSync(join(dir, "out", "users.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { id: number }).id);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 50 }, (_, index) => index + 1)));
  });
});
