import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora, PY_TAP, PY_TARGET, savedCheckpoint, startAgora, waitFor } from "../../helpers/project.js";
import { exited, tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

const root = tempDir("agora-private-files-");
const mode = (path: string): number => statSync(path).mode & 0o777;

describe("files that hold secrets", () => {
  it("are the owner's only, and a killed run's folder is removed by the next run", async () => {
    const dir = pipelineProject(
      join(root, "killed"),
      {
        tap: { command: `python3 ${PY_TAP}`, config: { count: 3000, state_every: 10, delay_ms: 1, api_key: "s3cret-value" } },
        target: { command: `python3 ${PY_TARGET}`, config: { database: "dest.db", batch_size: 25 } },
      },
      "items",
    );
    const runs = join(dir, ".agora", "runs");
    const runner = startAgora(dir, ["run", "items"]);
    await waitFor(
      () => ((savedCheckpoint(dir, "items") as { bookmarks?: { items?: { position?: number } } } | undefined)?.bookmarks?.items?.position ?? 0) >= 20,
      20_000,
      "a first checkpoint",
    );
    const [live] = readdirSync(runs);
    expect(mode(runs)).toBe(0o700);
    expect(mode(join(runs, live as string))).toBe(0o700);
    const configs = readdirSync(join(runs, live as string)).filter((name) => name.endsWith(".config.json"));
    expect(configs.length).toBe(2);
    for (const config of configs) expect(mode(join(runs, live as string, config))).toBe(0o600);
    expect(mode(join(dir, ".agora", "state.db"))).toBe(0o600);
    runner.kill("SIGKILL");
    await exited(runner);
    // Killed: nothing removed its folder, with the tap's key inside.
    expect(readdirSync(runs)).toEqual([live]);

    const next = await agora(dir, ["run", "items"]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(readdirSync(runs)).toEqual([]);
  });
});
