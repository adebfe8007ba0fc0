import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";

/**
 * The runner's own state store on a disk that fills up mid-run: a real
 * 1 MiB tmpfs holds the project and its state.db. Mounting needs root (and
 * a kernel that lets this container mount); where it cannot, the suite says
 * so and is skipped.
 */
const root = tempDir("agora-full-disk-");
const disk = join(root, "disk");
mkdirSync(disk);
const mounted = ((): boolean => {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", disk], { stdio: "ignore" });
    return true;
  } catch {
    console.warn("full-disk tests skipped: cannot mount a small tmpfs here (needs root and a kernel that allows it)");
    return false;
  }
})();
afterAll(() => {
  if (mounted) execFileSync("umount", ["-l", disk]);
});

/** Fills the disk until only `leftKiB` are free. */
function fillLeaving(leftKiB: number): string {
  const filler = join(disk, "filler");
  const { bavail, bsize } = statfsSync(disk);
  writeFileSync(filler, Buffer.alloc(Math.max(0, bavail * bsize - leftKiB * 1024)));
  return filler;
}

const userIds = (file: string): number[] =>
  [
    ...new Set(
      readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((line) => (JSON.parse(line) as { id: number }).id),
    ),
  ].sort((a, b) => a - b);

describe.skipIf(!mounted)("the state store's disk fills up during a run", () => {
  it("fails with one line naming the store and what to do, records the run failed, removes its run folder, and the rerun loses nothing", async () => {
    const out = join(root, "out");
    const dir = pipelineProject(join(disk, "project"), {
      tap: { command: "tap-sample", config: { users: 30000, orders: 0, state_every_records: 50 } },
      target: { command: "target-jsonl", config: { destination_path: out } },
    });
    expect((await agora(dir, ["runs", "list"])).exitCode).toBe(0); // creates the store
    // Room for the run to start (its row and cached catalog) and save some checkpoints, not all of them: since our
    // connectors' --about ships with them (nothing cached for it), 90–110 KiB do; from 130 KiB the WAL, reused after its
    // checkpoints, never fills.
    const filler = fillLeaving(100);

    const full = await agora(dir, ["run", "p"]);
    expect(full.exitCode).toBe(1);
    const errors = full.stderr.split("\n").filter((line) => line.includes("[STATE_STORE_FULL]") && !line.startsWith("agora warn"));
    expect(errors).toEqual([
      `pipeline p, ${join(dir, ".agora", "state.db")}: the state store could not save the checkpoint of pipeline p: the disk is full (SQLITE_FULL). Free space on the disk that holds the state store, then run again: the pipeline resumes from its last saved checkpoint. [STATE_STORE_FULL]`,
    ]);
    expect(full.stderr).not.toMatch(/looks like a bug|\n\s+at /);
    expect(readdirSync(join(dir, ".agora", "runs"))).toEqual([]);

    rmSync(filler);
    const history = await agora(dir, ["runs", "list", "p"]);
    expect(history.stdout.split("\n")[1]).toMatch(/\tfailed\t.*STATE_STORE_FULL/);

    const again = await agora(dir, ["run", "p"]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain("resuming from the checkpoint");
    expect(userIds(join(out, "users.jsonl"))).toEqual(Array.from({ length: 30000 }, (_, index) => index + 1));
    expect(existsSync(join(dir, ".agora", "runs"))).toBe(true);
  }, 60_000);
});
