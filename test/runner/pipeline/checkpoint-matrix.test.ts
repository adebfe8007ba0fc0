import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StateStore } from "../../../runner/index.js";
import { runInProcess } from "../../helpers/in-process-run.js";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { storedIds } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";

/*
 * The promise behind every checkpoint: no record before it is in neither a destination nor the
 * dead-letter queue. Driven over every error policy, every stage a record can be rejected at and
 * every lane records travel on, with the bad records at positions drawn from a seeded generator:
 * - stages: validation in the runner (a text where the schema says integer), a middleware step
 *   (coerce of a text that is no number), the target (an integer past 64 bits, which SQLite's
 *   INTEGER column refuses);
 * - lanes: RECORD messages, BATCH files of JSON lines, BATCH files in Arrow;
 * - policies: dlq, skip, fail.
 * Each run reads 60 records of a JSON Lines file (tap-jsonl, a STATE every 10) into target-sqlite,
 * through the run core in the test's process (the connectors are real processes; the checkpoint and
 * the dead letters are read from the store the run wrote).
 */
const root = tempDir("agora-checkpoint-matrix-");
const RECORDS = 60;

type Policy = "dlq" | "skip" | "fail";
type Stage = "validate" | "middleware" | "target";
type Lane = "records" | "jsonl" | "arrow";

/** A small seeded generator (mulberry32): the same positions every run, different ones per case. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Two distinct ids in 1..RECORDS. */
function badIds(seed: number): number[] {
  const next = generator(seed);
  const first = 1 + Math.floor(next() * RECORDS);
  let second = first;
  while (second === first) second = 1 + Math.floor(next() * RECORDS);
  return [first, second].sort((a, b) => a - b);
}

/** Record `id` as a JSON line: good, or bad in the way the stage refuses. */
function line(id: number, bad: boolean, stage: Stage): string {
  if (!bad) return `{"id":${id},"v":${id * 10},"w":"${id}"}`;
  if (stage === "validate") return `{"id":${id},"v":"not a number","w":"${id}"}`;
  if (stage === "middleware") return `{"id":${id},"v":${id * 10},"w":"twelve"}`;
  return `{"id":${id},"v":123456789012345678901234,"w":"${id}"}`;
}

function pipeline(dir: string, policy: Policy, stage: Stage, lane: Lane): string {
  return pipelineProject(
    dir,
    {
      tap: {
        command: "tap-jsonl",
        config: {
          files: [{ path: "items.jsonl", stream: "items", key_properties: ["id"] }],
          state_every_records: 10,
          ...(lane === "records" ? {} : { batch_config: { format: lane, rows_per_file: 10, root: "batches" } }),
        },
      },
      target: { command: "target-sqlite", config: { database: "out.db" } },
      onError: policy,
      schema: { items: { v: { type: "integer" }, w: { type: "string" } } },
      ...(stage === "middleware" ? { middleware: [{ type: "coerce", fields: { w: "integer" } }] } : {}),
    },
    "m",
  );
}

/** The line (= id) the saved checkpoint's bookmark has reached: every record up to it is behind the checkpoint. */
async function checkpointLine(store: StateStore): Promise<number> {
  const state = (await store.getCheckpoint("m"))?.state as { bookmarks?: { items?: { line?: number } } } | undefined;
  return state?.bookmarks?.items?.line ?? 0;
}

async function deadLetteredIds(store: StateStore): Promise<number[]> {
  // A record rejected in the runner is kept as it arrived (raw, original); one a target refused, as the target got it (processed).
  const entries = await store.listDeadLetters({ pipeline: "m" });
  return entries
    .map((entry) => Number(entry.original?.["id"] ?? entry.processed?.["id"] ?? (JSON.parse(entry.raw ?? "{}") as { id?: number }).id))
    .sort((a, b) => a - b);
}

const CASES: Array<{ policy: Policy; stage: Stage; lane: Lane; seed: number }> = [];
for (const policy of ["dlq", "skip", "fail"] as const) {
  for (const stage of ["validate", "middleware", "target"] as const) {
    for (const lane of ["records", "jsonl", "arrow"] as const) CASES.push({ policy, stage, lane, seed: CASES.length + 1 });
  }
}

describe("no record behind a checkpoint is in neither a destination nor the dead-letter queue", () => {
  it.concurrent.each(CASES)("on_error = $policy, rejected at $stage, on the $lane lane", async ({ policy, stage, lane, seed }) => {
    const dir = pipeline(join(root, `${policy}-${stage}-${lane}`), policy, stage, lane);
    const bad = badIds(seed);
    const ids = Array.from({ length: RECORDS }, (_, index) => index + 1);
    writeFileSync(join(dir, "items.jsonl"), `${ids.map((id) => line(id, bad.includes(id), stage)).join("\n")}\n`);

    const { result, log, store } = await runInProcess(dir, "m");
    const stored = storedIds(join(dir, "out.db"));
    const letters = await deadLetteredIds(store);
    const reached = await checkpointLine(store);
    const behind = ids.filter((id) => id <= reached);
    const context = `bad ${bad.join(", ")}; checkpoint at ${behind.length}\n${log}`;

    // The invariant, under every policy: each record behind the checkpoint is stored, dead-lettered, or (skip) one it was told to skip.
    const accounted = new Set([...stored, ...letters, ...(policy === "skip" ? bad : [])]);
    expect(
      behind.filter((id) => !accounted.has(id)),
      context,
    ).toEqual([]);

    if (policy === "fail") {
      expect(result.status, context).toBe("failed");
      // Stopped before the first bad record, saying which; nothing of it anywhere.
      expect(
        behind.every((id) => id < (bad[0] as number)),
        context,
      ).toBe(true);
      expect(stored, context).not.toContain(bad[0]);
      expect(result.failure?.message, context).toMatch(/record|row/);
      return;
    }
    expect(result.status, context).toBe("succeeded");
    expect(behind, context).toEqual(ids);
    expect(stored, context).toEqual(ids.filter((id) => !bad.includes(id)));
    expect(letters, context).toEqual(policy === "dlq" ? bad : []);
  });
});
