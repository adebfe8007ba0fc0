import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryStateStore } from "../../../runner/index.js";
import { runInProcess } from "../../helpers/in-process-run.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { CLASSIC_TARGET_PY, range } from "../../helpers/project.js";
import { ROOT, tempDir } from "../../helpers/processes.js";

/**
 * Agora under connectors it did not write: classic Singer connectors in
 * Python (test/fixtures/singer), written to the letter of the spec and of
 * singer-python's habits: no --about, strings only, bare state echoes, at
 * the end or after each flush. Each runs through the run core (in the test's process) twice, on
 * one store per project.
 */
const root = tempDir("agora-singer-compat-");
const CLASSIC_TAP = `python3 ${join(ROOT, "test", "fixtures", "singer", "classic_tap.py")}`;
const CLASSIC_TARGET = `python3 ${CLASSIC_TARGET_PY}`;
let projects = 0;

function classicProject(
  tap: Record<string, unknown>,
  target: Record<string, unknown>,
  targetCommand = CLASSIC_TARGET,
  dir = join(root, `p${(projects += 1)}`),
): string {
  return writeProject(dir, {
    connectors: { classic: { command: CLASSIC_TAP, config: tap }, store: { command: targetCommand, config: target } },
    pipelines: { p: { tap: "classic", targets: ["store"] } },
  });
}

/** One store per project folder, kept across its runs, as the project's state store would be. */
const stores = new Map<string, MemoryStateStore>();
const storeOf = (dir: string): MemoryStateStore => stores.get(dir) ?? stores.set(dir, new MemoryStateStore()).get(dir)!;

/** Runs pipeline p of the project through the run core, on the project's store. */
async function run(dir: string): Promise<{ status: string; log: string; failure: string | undefined; checkpointAdvanced: boolean }> {
  const { result, log } = await runInProcess(dir, "p", storeOf(dir));
  return { status: result.status, log, failure: result.failure?.message, checkpointAdvanced: result.checkpointAdvanced };
}

async function savedCheckpoint(dir: string): Promise<unknown> {
  return (await storeOf(dir).getCheckpoint("p"))?.state;
}

/** The `id`s in `<dir>/<stream>.jsonl`, in the order written. */
function idsIn(dir: string, stream: string): number[] {
  const file = join(dir, `${stream}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => Number((JSON.parse(line) as { id: string }).id));
}

const eventsBookmark = async (dir: string): Promise<string | undefined> =>
  ((await savedCheckpoint(dir)) as { bookmarks?: { events?: { updated_at: string } } } | undefined)?.bookmarks?.events?.updated_at;
const minute = (n: number): string => `2024-01-01T${String(Math.floor(n / 60)).padStart(2, "0")}:${String(n % 60).padStart(2, "0")}:00Z`;

describe("a classic target that echoes the bare state once, at exit", () => {
  it("moves the checkpoint at the end of the run, and the next run resumes from it", async () => {
    const dir = classicProject({ people: 3, events: 30, state_every: 10 }, { destination: "dest" });
    const first = await run(dir);
    expect(first.status).toBe("succeeded");
    expect(first.log).not.toContain("checkpoint did not move");
    expect(first.checkpointAdvanced).toBe(true);
    expect(await savedCheckpoint(dir)).toEqual({ bookmarks: { events: { updated_at: minute(30) } } });

    const second = await run(dir);
    expect(second.status).toBe("succeeded");
    // events resumes at its (inclusive) bookmark; people is FULL_TABLE and is sent again, as it should be.
    expect(idsIn(join(dir, "dest"), "events")).toEqual([...range(30), 30]);
    expect(idsIn(join(dir, "dest"), "people")).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it("a FULL_TABLE-only tap whose state is {} still checkpoints, and re-sends everything as it must", async () => {
    const dir = classicProject({ people: 4 }, { destination: "dest" });
    expect((await run(dir)).status).toBe("succeeded");
    expect(await savedCheckpoint(dir)).toEqual({});
    expect((await run(dir)).status).toBe("succeeded");
    expect(idsIn(join(dir, "dest"), "people")).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
  });
});

describe("a target that echoes bare states after each flush (Meltano SDK style), keys sorted, with log lines on stdout", () => {
  it("checkpoints as it goes, warns once about the log lines, and resumes", async () => {
    const dir = classicProject({ people: 0, events: 40, state_every: 5 }, { destination: "dest", flush_every: 10, sort_keys: true, noise: true });
    const first = await run(dir);
    expect(first.status).toBe("succeeded");
    expect(first.log.match(/wrote something other than a STATE echo/g)).toHaveLength(1);
    expect(first.log).not.toContain("did not send");
    expect(await eventsBookmark(dir)).toBe(minute(40));
    expect((await run(dir)).status).toBe("succeeded");
    expect(idsIn(join(dir, "dest"), "events")).toEqual([...range(40), 40]);
  });
});

describe("a tap that writes a STATE after every record, into a target that flushes every 5,000 records", () => {
  it("never warns that a target confirmed a STATE the runner did not send, on the first run or a resumed one", async () => {
    const dir = classicProject({ people: 0, events: 12_000, state_every: 1 }, { destination: "dest", flush_every: 5_000 });
    const first = await run(dir);
    expect(first.status).toBe("succeeded");
    expect(first.log).not.toContain("did not send");
    expect(await eventsBookmark(dir)).toBe("2024-01-09T08:00:00Z"); // 12,000 minutes in
    // Resumed: every STATE the tap writes carries the same value until its last.
    const again = await run(dir);
    expect(again.status).toBe("succeeded");
    expect(again.log).not.toContain("did not send");
    expect(again.log).not.toContain("checkpoint did not move");
  }, 60_000);
});

describe("a classic target killed with SIGKILL mid-run", () => {
  it("loses no row; the next run re-sends only what was not confirmed (and the inclusive bookmark's row)", async () => {
    const dir = classicProject({ people: 0, events: 100, state_every: 5 }, { destination: "dest", flush_every: 10, kill_self_after: 47 });
    const killed = await run(dir);
    expect(killed.status).toBe("failed");
    expect(killed.failure).toContain("store: the target was killed by SIGKILL");
    // Records 41..46 were received but never written: the last confirmation was the flush after record 40.
    expect(idsIn(join(dir, "dest"), "events")).toEqual(range(40));
    expect(await eventsBookmark(dir)).toBe(minute(40));

    classicProject({ people: 0, events: 100, state_every: 5 }, { destination: "dest", flush_every: 10 }, CLASSIC_TARGET, dir);
    const again = await run(dir);
    expect(again.status).toBe("succeeded");
    expect(idsIn(join(dir, "dest"), "events")).toEqual([...range(40), ...range(61).map((n) => n + 39)]);
    expect(await eventsBookmark(dir)).toBe(minute(100));
  });
});

describe("a classic tap writing message types in lower case, into our target", () => {
  it("delivers every record value for value, and the checkpoint moves", async () => {
    const dir = classicProject({ people: 0, events: 12, state_every: 4, lowercase_types: true }, { destination_path: "dest" }, "target-jsonl");
    const result = await run(dir);
    expect(result.status).toBe("succeeded");
    const stored = readFileSync(join(dir, "dest", "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(stored).toEqual(range(12).map((n) => ({ id: String(n), updated_at: minute(n), amount: `${n}.50` })));
    expect(await eventsBookmark(dir)).toBe(minute(12));
  });
});
