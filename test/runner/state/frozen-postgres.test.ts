import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startThrowawayPostgres } from "../../../bench/postgres-server.js";
import type { StateStore } from "../../../runner/state/interfaces.js";
import { openStateStore } from "../../../runner/state/open-state-store.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { startAgora, waitFor } from "../../helpers/project.js";
import { exited, ROOT, tempDir } from "../../helpers/processes.js";
import { postgresUrl } from "../../helpers/postgres.js";

/*
 * A Postgres state store that stops answering mid-run (its server frozen with SIGSTOP, as a VM
 * pause or a cut network leaves it). Before, no statement or connection had a timeout: the run
 * hung for good. Now each operation fails after the store's timeout (?timeout=2 here) with one
 * line naming the store, and the run ends. A server of its own, so freezing it stops no other test.
 */
const TAP = `import json, os, sys, time
if "--about" in sys.argv:
    sys.exit("unrecognized arguments: --about")
print(json.dumps({"type": "SCHEMA", "stream": "items", "schema": {"type": "object", "properties": {"id": {"type": "integer"}}}, "key_properties": ["id"]}), flush=True)
for n in range(1, 11):
    while n > 5 and os.path.exists("hold"):
        time.sleep(0.02)
    print(json.dumps({"type": "RECORD", "stream": "items", "record": {"id": n}}), flush=True)
    print(json.dumps({"type": "STATE", "value": {"n": n}}), flush=True)
`;

/** The project: TAP into target-jsonl (a batch per record), its store at `store`, `extra` added to the pipeline. */
function project(dir: string, store: string, extra: Record<string, unknown>): void {
  writeFileSync(join(dir, "tap.py"), TAP);
  writeProject(dir, {
    state_store: store,
    pipelines: {
      p: {
        tap: { command: "python3", args: ["tap.py"] },
        target: { command: "target-jsonl", config: { destination_path: "out", batch_size_rows: 1 } },
        ...extra,
      },
    },
  });
}

/** Resolves once the store's checkpoint of pipeline p reads `n`. */
async function checkpointAt(inspect: StateStore, n: number): Promise<void> {
  let saved: number | undefined;
  const polling = setInterval(
    () =>
      void inspect.getCheckpoint("p").then(
        (checkpoint) => (saved = (checkpoint?.state as { n?: number } | undefined)?.n),
        () => undefined,
      ),
    50,
  );
  try {
    await waitFor(() => saved === n, 20_000, `the checkpoint at ${n}`);
  } finally {
    clearInterval(polling);
  }
}

/** Sends `signal` to the server and every process of it. */
function signalServer(dir: string, signal: "STOP" | "CONT"): void {
  const pid = readFileSync(join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0] as string;
  execFileSync("bash", ["-c", `kill -${signal} ${pid}; pkill -${signal} -P ${pid} || true`]);
}

describe.skipIf(postgresUrl() === undefined)("a Postgres state store that stops answering mid-run", () => {
  it("fails the run after the store's timeout, in one line naming the store, instead of hanging", async () => {
    const server = await startThrowawayPostgres(ROOT);
    if (server.url === undefined) throw new Error(server.reason);
    const dir = tempDir("agora-frozen-store-");
    const store = `${server.url}?schema=frozen&timeout=2`;
    project(dir, store, {});
    writeFileSync(join(dir, "hold"), "");
    const inspect = openStateStore(store);
    let frozen = false;
    try {
      const child = startAgora(dir, ["run", "p"]);
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      await checkpointAt(inspect, 5);
      signalServer(server.dir, "STOP");
      frozen = true;
      rmSync(join(dir, "hold"));
      const ended = await exited(child);
      expect(ended.code, stderr).toBe(1);
      expect(stderr).toMatch(/the state store could not .*: the Postgres server did not answer in time/);
      expect(stderr).toContain("[STATE_STORE_UNAVAILABLE]");
      expect(stderr).not.toContain("    at ");
    } finally {
      if (frozen) signalServer(server.dir, "CONT");
      await inspect.close();
      server.stop();
    }
  });

  it('a worker whose store goes down mid-run says why the run failed, and that the checkpoint is an earlier one (it said only "failed (1 in a row)")', async () => {
    const server = await startThrowawayPostgres(ROOT);
    if (server.url === undefined) throw new Error(server.reason);
    const dir = tempDir("agora-store-down-");
    const store = `${server.url}?schema=down&timeout=2`;
    project(dir, store, { schedule: { every: "1h" } });
    writeFileSync(join(dir, "hold"), "");
    const inspect = openStateStore(store);
    let stopped = false;
    try {
      const worker = startAgora(dir, ["worker"]);
      let stderr = "";
      worker.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      await checkpointAt(inspect, 5);
      await inspect.close();
      server.stop();
      stopped = true;
      rmSync(join(dir, "hold"));
      await waitFor(() => stderr.includes("in a row"), 30_000, "the run to fail");
      await waitFor(() => stderr.includes("[STATE_STORE_UNAVAILABLE]"), 10_000, "the run's summary");
      worker.kill("SIGTERM");
      await exited(worker);
      expect(stderr).toContain("pipeline p failed (1 in a row, STATE_STORE_UNAVAILABLE)");
      const summary = stderr.split("\n").find((line) => line.startsWith("agora error: pipeline p failed in"));
      expect(summary, stderr).toContain("checkpoint saved up to an earlier STATE: the later ones every target confirmed could not be saved");
      expect(summary).toContain("the state store could not save the checkpoint of pipeline p");
      expect(stderr).not.toContain("looks like a bug");
      expect(stderr).not.toContain("    at ");
    } finally {
      if (!stopped) {
        await inspect.close();
        server.stop();
      }
    }
  });
});
