import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject, type ConnectorSpec } from "../../helpers/pipeline-project.js";
import { CLASSIC_TARGET_PY, agora, range, savedCheckpoint } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-full-refresh-");
const CLASSIC_TARGET = `python3 ${CLASSIC_TARGET_PY}`;

function sampleProject(
  dir: string,
  users: number,
  orders: number,
  target: ConnectorSpec = { command: "target-jsonl", config: { destination_path: "out" } },
): string {
  return pipelineProject(dir, { tap: { command: "tap-sample", config: { users, orders, state_every_records: 5 } }, target });
}

const ids = (dir: string, stream: string): number[] =>
  readFileSync(join(dir, "out", `${stream}.jsonl`), "utf8")
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { id: number }).id);

describe("agora run --full-refresh", () => {
  it("starts from the beginning, then saves the new checkpoint; a failed one keeps the old checkpoint", async () => {
    const dir = join(root, "refresh");
    sampleProject(dir, 30, 0);
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    sampleProject(dir, 40, 0);
    const refreshed = await agora(dir, ["run", "p", "--full-refresh"]);
    expect(refreshed.exitCode).toBe(0);
    expect(ids(dir, "users")).toEqual([...range(30), ...range(40)]);
    expect(savedCheckpoint(dir, "p")).toEqual({ bookmarks: { users: { rows: 40 } } });

    // A target that confirms as it goes, then is killed: its confirmations must not replace the checkpoint.
    sampleProject(dir, 50, 0, { command: CLASSIC_TARGET, config: { destination: "classic", flush_every: 5, kill_self_after: 12 } });
    const failed = await agora(dir, ["run", "p", "--full-refresh"]);
    expect(failed.exitCode).toBe(1);
    expect(
      readFileSync(join(dir, "classic", "users.jsonl"), "utf8")
        .trim()
        .split("\n"),
    ).toHaveLength(10);
    expect(savedCheckpoint(dir, "p")).toEqual({ bookmarks: { users: { rows: 40 } } });
  });
});

describe("agora state clear --stream", () => {
  it("resets one stream's bookmark: only that stream is sent again", async () => {
    const dir = sampleProject(join(root, "one-stream"), 10, 5);
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(savedCheckpoint(dir, "p")).toEqual({ bookmarks: { users: { rows: 10 }, orders: { rows: 5 } } });
    const cleared = await agora(dir, ["state", "clear", "p", "--stream", "orders"]);
    expect(cleared.exitCode).toBe(0);
    expect(savedCheckpoint(dir, "p")).toEqual({ bookmarks: { users: { rows: 10 } } });
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(ids(dir, "users")).toEqual(range(10));
    expect(ids(dir, "orders")).toEqual([...range(5), ...range(5)]);
  });

  it("names the streams that have a bookmark when the one asked for has none", async () => {
    const dir = sampleProject(join(root, "unknown-stream"), 3, 2);
    await agora(dir, ["run", "p"]);
    const result = await agora(dir, ["state", "clear", "p", "--stream", "Orders"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('the checkpoint of p has no bookmark for stream "Orders"');
    expect(result.stderr).toContain('Streams with a bookmark: "users", "orders".');
    expect(savedCheckpoint(dir, "p")).toEqual({ bookmarks: { users: { rows: 3 }, orders: { rows: 2 } } });
  });
});
