import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { freshPostgresStore, postgresUrl } from "../../helpers/postgres.js";
import { readFileSync } from "node:fs";
import { pipelineProject, writeProject } from "../../helpers/pipeline-project.js";

const url = postgresUrl();
const root = tempDir("agora-postgres-runs-");

const ids = (file: string): number[] =>
  readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { id: number }).id);

describe.skipIf(url === undefined)("agora on a Postgres state store", () => {
  it("state_store in pipelines.toml (read from the environment): runs, resumes, and the history and checkpoint are on the server", async () => {
    const store = freshPostgresStore(url as string, "cli");
    const dir = writeProject(join(root, "toml"), {
      state_store: "${TEST_STATE_STORE}",
      pipelines: {
        p: {
          tap: { command: "tap-sample", config: { users: 30, orders: 0, state_every_records: 10 } },
          target: { command: "target-jsonl", config: { destination_path: "out" } },
        },
      },
    });
    const env = { TEST_STATE_STORE: store };
    const first = await agora(dir, ["run", "p"], env);
    expect(first.exitCode, first.stderr).toBe(0);
    const again = await agora(dir, ["run", "p"], env);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain("resuming from the checkpoint");
    // The second run read nothing new: every user once.
    expect(ids(join(dir, "out", "users.jsonl"))).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    expect(existsSync(join(dir, ".agora", "state.db"))).toBe(false);

    const runs = await agora(dir, ["--json", "runs", "list", "p"], env);
    const listed = JSON.parse(runs.stdout) as Array<{ status: string; progress: Record<string, { written: number }> }>;
    expect(listed.map((run) => [run.status, run.progress["users"]?.written ?? 0])).toEqual([
      ["succeeded", 0],
      ["succeeded", 30],
    ]);
    const state = await agora(dir, ["state", "show", "p"], env);
    expect(JSON.parse(state.stdout)).toEqual({ bookmarks: { users: { rows: 30 } } });
  });

  it("--state-store postgres://… for one command, the password masked in what it says", async () => {
    const dir = pipelineProject(join(root, "flag"), { tap: { command: "tap-sample", config: { users: 5, orders: 0 } }, target: { command: "target-jsonl" } });
    const refused = new URL(url as string);
    refused.password = "pw-Zq81-secret";
    refused.port = "9";
    const result = await agora(dir, ["--state-store", refused.toString(), "run", "p"]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("cannot reach the Postgres server (ECONNREFUSED)");
    expect(result.stderr).toContain(":***@127.0.0.1:9/");
    expect(result.stderr).not.toContain("pw-Zq81-secret");
  });
});
