import type { ChildProcess } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openStateStore } from "../../../runner/state/open-state-store.js";
import type { StateStore } from "../../../runner/state/interfaces.js";
import { agora, startAgora, waitFor } from "../../helpers/project.js";
import { freshPostgresStore, postgresUrl } from "../../helpers/postgres.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { writeProject } from "../../helpers/pipeline-project.js";

/*
 * A run paused past its lease (SIGSTOP: a stopped terminal job, a frozen VM) while another process
 * takes the pipeline over and finishes it, then resumed (SIGCONT). Before, the resumed run went on
 * writing and saving checkpoints, so the saved checkpoint went backwards and the run rewrote its
 * RUN_ABANDONED record to succeeded. Now its writes are fenced by the lease: it stops with
 * LEASE_LOST and what the other run saved stands. The tap is a Python script that resumes from
 * its state and writes a STATE after every record; a first run's tap holds on after record 20
 * while a "hold" file exists, so the first run is paused mid-stream by the test, not by timing.
 */
const TAP = `import json, os, sys, time
if "--about" in sys.argv:
    sys.exit("unrecognized arguments: --about")
start = 0
if "--state" in sys.argv:
    start = json.load(open(sys.argv[sys.argv.index("--state") + 1])).get("n", 0)
print(json.dumps({"type": "SCHEMA", "stream": "items", "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]}), flush=True)
for n in range(start + 1, 61):
    # A first run (no state) holds on after record 20 while the file exists; a resumed one does not.
    while start == 0 and n > 20 and os.path.exists("hold"):
        time.sleep(0.02)
    print(json.dumps({"type": "RECORD", "stream": "items", "record": {"id": n}}), flush=True)
    print(json.dumps({"type": "STATE", "value": {"n": n}}), flush=True)
`;

/**
 * Stops a run (SIGSTOP) while it holds no SQLite write lock: stopped inside one of its store's
 * transactions, it would keep the file locked and every other process would wait out its busy
 * timeout (STATE_STORE_BUSY), which is SQLite's nature and not what these tests are about. The test
 * holds the write lock itself while the signal lands, so the run cannot be inside a transaction.
 */
function pauseOutsideTransactions(run: ChildProcess, location: string): void {
  if (location.startsWith("postgres")) {
    run.kill("SIGSTOP");
    return;
  }
  const db = new Database(location, { timeout: 20_000 });
  try {
    db.exec("BEGIN IMMEDIATE");
    run.kill("SIGSTOP");
    db.exec("ROLLBACK");
  } finally {
    db.close();
  }
}

/** `goOn`: A's tap is let go when A resumes, so A has records to send and STATEs to save after its lease is gone. */
async function pausedRunOvertaken(store: string, goOn = false): Promise<void> {
  const dir = tempDir("agora-fencing-");
  writeFileSync(join(dir, "tap.py"), TAP);
  writeProject(dir, {
    state_store: store,
    worker: { lease_seconds: 1 },
    pipelines: {
      p: { tap: { command: "python3", args: ["tap.py"] }, target: { command: "target-jsonl", config: { destination_path: "out", batch_size_rows: 5 } } },
    },
  });
  const location = store.startsWith("postgres") ? store : join(dir, store);
  const inspect: StateStore = openStateStore(location);
  const checkpoint = async (): Promise<number | undefined> => ((await inspect.getCheckpoint("p"))?.state as { n?: number } | undefined)?.n;
  try {
    // A runs until record 20 is confirmed, then its tap holds on (the "hold" file), and A is paused.
    writeFileSync(join(dir, "hold"), "");
    const first = startAgora(dir, ["run", "p"]);
    let firstErr = "";
    first.stderr.on("data", (chunk: Buffer) => (firstErr += chunk.toString()));
    let saved: number | undefined;
    const polling = setInterval(() => void checkpoint().then((n) => (saved = n)), 50);
    await waitFor(() => saved === 20, 20_000, "the first run's checkpoint at 20");
    clearInterval(polling);
    pauseOutsideTransactions(first, location);

    // B waits out A's lease (PIPELINE_BUSY until then), takes the pipeline over and finishes it.
    let second = await agora(dir, ["run", "p"]);
    for (let tries = 0; second.stderr.includes("PIPELINE_BUSY") && tries < 200; tries += 1) second = await agora(dir, ["run", "p"]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(await checkpoint()).toBe(60);

    // A resumes: it must not save again, nor claim success.
    if (goOn) rmSync(join(dir, "hold"));
    first.kill("SIGCONT");
    const ended = await exited(first);
    expect(ended.code, firstErr).not.toBe(0);
    expect(firstErr).toContain("LEASE_LOST");
    expect(await checkpoint()).toBe(60);
    const runs = await inspect.listRuns("p", 10);
    expect(runs.map((run) => run.status).sort()).toEqual(["failed", "succeeded"]);
    expect(runs.find((run) => run.status === "failed")?.errorCode).toMatch(/^(RUN_ABANDONED|LEASE_LOST)$/);
    const ids = readFileSync(join(dir, "out", "items.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { id: number }).id);
    const all = Array.from({ length: 60 }, (_, index) => index + 1);
    if (!goOn) expect(ids).toEqual(all);
    else {
      // Every record; what A had in flight when it resumed may come again (at least once), and it stops there.
      expect(new Set(ids)).toEqual(new Set(all));
      expect(ids.slice(0, 60)).toEqual(all);
    }
  } finally {
    rmSync(join(dir, "hold"), { force: true });
    await inspect.close();
  }
}

describe("a run paused past its lease while another takes the pipeline over", () => {
  it("on the SQLite store: stops with LEASE_LOST on resuming; the checkpoint never goes backwards and its run is not recorded as succeeded", async () => {
    await pausedRunOvertaken(".agora/state.db");
  });

  it.skipIf(postgresUrl() === undefined)("on the Postgres store: the same", async () => {
    await pausedRunOvertaken(freshPostgresStore(postgresUrl() as string, "fence"));
  });

  it("with its tap sending more once resumed: its checkpoint saves are refused, it stops with LEASE_LOST, the other run's checkpoint stands", async () => {
    await pausedRunOvertaken(".agora/state.db", true);
  });
});
