import { existsSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { agora, PY_TAP, PY_TARGET, startAgora, waitFor } from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { writeProject } from "../../helpers/pipeline-project.js";

const root = tempDir("agora-replay-lease-");

/** The holder of a pipeline's lease, straight from the state store. */
function leaseHolder(dir: string, pipeline: string): string | undefined {
  const path = join(dir, ".agora", "state.db");
  if (!existsSync(path)) return undefined;
  try {
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      return (db.prepare("SELECT holder FROM leases WHERE pipeline = ?").get(pipeline) as { holder: string } | undefined)?.holder;
    } finally {
      db.close();
    }
  } catch {
    return undefined; // the runner is still creating the store
  }
}

describe("agora dlq replay while the pipeline runs", () => {
  it("refuses with PIPELINE_BUSY instead of writing to the same targets at once", async () => {
    const dir = writeProject(join(root, "busy"), {
      connectors: {
        items: { command: `python3 ${PY_TAP}`, config: { count: 100000, state_every: 10, delay_ms: 5 } },
        store: { command: `python3 ${PY_TARGET}`, config: { database: "dest.db" } },
      },
      pipelines: { items: { tap: "items", targets: ["store"] } },
    });
    const run = startAgora(dir, ["run", "items"]);
    await waitFor(() => leaseHolder(dir, "items") !== undefined, 20_000, "the run to hold the lease");
    const replay = await agora(dir, ["dlq", "replay", "items"]);
    expect(replay.exitCode).toBe(1);
    expect(replay.stderr).toContain("pipeline items is already running");
    expect(replay.stderr).toContain("[PIPELINE_BUSY]");
    run.kill("SIGTERM");
    expect((await exited(run)).code).toBe(143);
    // Once the run is over, the lease is free and a replay goes ahead (nothing to replay here).
    expect(leaseHolder(dir, "items")).toBeUndefined();
    expect((await agora(dir, ["dlq", "replay", "items"])).exitCode).toBe(0);
  });
});
