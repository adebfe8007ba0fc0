import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { writeProject } from "../../helpers/pipeline-project.js";

const root = tempDir("agora-worker-isolation-");

interface Run {
  pipeline: string;
  status: string;
  error?: string;
  errorCode?: string;
  errorKind?: string;
}

describe("a worker with one broken pipeline", () => {
  it("runs the good one to completion, stops the broken one at once with its reason, and stays up", async () => {
    const dir = writeProject(join(root, "two"), {
      connectors: { sample: { command: "tap-sample", config: { users: 25, orders: 0 } }, db: { command: "target-sqlite", config: { database: "out.db" } } },
      pipelines: {
        good: { tap: "sample", target: "db", schedule: { once: true } },
        bad: { tap: "sample", target: "db", middleware: [{ type: "module", path: "./missing.js" }], schedule: { once: true, max_consecutive_errors: 5 } },
      },
    });
    const worker = await agora(dir, ["worker"]);
    // Not a crash (3): the worker ran everything it could and says one pipeline is stopped.
    expect(worker.exitCode).toBe(1);
    expect(worker.stderr).toContain("pipeline bad stopped:");
    expect(worker.stderr).toContain("[MIDDLEWARE_MODULE_FAILED]");
    expect(worker.stderr).toContain("not retried");
    expect(worker.stderr).not.toContain("next try in");

    const db = new BetterSqlite3(join(dir, "out.db"), { readonly: true });
    const ids = (db.prepare("SELECT id FROM users ORDER BY id").all() as Array<{ id: number }>).map((row) => row.id);
    db.close();
    expect(ids).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));

    const runs = JSON.parse((await agora(dir, ["--json", "runs", "list"])).stdout) as Run[];
    const byPipeline = (name: string) => runs.filter((run) => run.pipeline === name);
    expect(byPipeline("good").map((run) => run.status)).toEqual(["succeeded"]);
    // One failed run, recorded with its code and kind: nothing left "running", no backing off five times.
    expect(byPipeline("bad").map((run) => [run.status, run.errorCode, run.errorKind])).toEqual([["failed", "MIDDLEWARE_MODULE_FAILED", "config"]]);
  });
});
