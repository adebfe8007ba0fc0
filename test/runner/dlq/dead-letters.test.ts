import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { agora, injectFault, PY_TAP, PY_TARGET, range, storedIds } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";
import { pipelineProject, writeProject } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

const root = tempDir("agora-dlq-");

function project(name: string, options: { rejectIds?: number[]; onError?: "dlq" | "skip" | "fail" } = {}): string {
  return writeProject(join(root, name), {
    connectors: {
      items: { command: `python3 ${PY_TAP}`, config: { count: 60, state_every: 10, control_file: "fault.json" } },
      store: { command: `python3 ${PY_TARGET}`, config: { database: "dest.db", batch_size: 7, reject_ids: options.rejectIds ?? [] } },
    },
    pipelines: { items: { tap: "items", targets: ["store"], onError: options.onError ?? "dlq" } },
  });
}

interface Entry {
  id: number;
  stage: string;
  stream: string;
  errorCode: string;
  errorMessage: string;
  original?: Record<string, unknown>;
  processed?: Record<string, unknown>;
  status: string;
  attempts: number;
  runId: string;
  checkpoint?: unknown;
}

async function entries(dir: string, status = "all"): Promise<Entry[]> {
  return JSON.parse((await agora(dir, ["--json", "dlq", "list", "items", "--status", status])).stdout) as Entry[];
}

describe("a target that rejects one record", () => {
  it("replayed into a target that fails: the replay says why as a run's failure (code and kind), and the entry stays pending", async () => {
    const dir = project("replay-fails", { rejectIds: [23] });
    await runSucceeds(dir, "items");
    const toml = (await import("node:fs")).readFileSync(join(dir, "pipelines.toml"), "utf8");
    writeFileSync(
      join(dir, "pipelines.toml"),
      toml.replace(`command = "python3 ${PY_TARGET}"`, `command = "python3 -c 'import sys; sys.exit(\\"disk on fire\\")'"`),
    );
    const replay = await agora(dir, ["--json", "dlq", "replay", "items"]);
    expect(replay.exitCode).toBe(1);
    const summary = JSON.parse(replay.stdout) as { succeeded: number; failure?: { code: string; kind: string; message: string } };
    expect(summary.succeeded).toBe(0);
    expect(summary.failure).toMatchObject({ code: "CONNECTOR_FAILED", kind: "fatal" });
    expect(summary.failure?.message).toContain("disk on fire");
    expect((await entries(dir))[0]).toMatchObject({ status: "pending" });
  });

  it("goes on; the DLQ holds exactly that record, and a replay delivers it once", async () => {
    const dir = project("reject", { rejectIds: [23] });
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("1 to the DLQ");
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(60).filter((id) => id !== 23));
    const [entry, ...others] = await entries(dir);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      stage: "sink_write",
      stream: "items",
      errorCode: "REFUSED",
      processed: { id: 23, name: "item 23", score: 5.75 },
      status: "pending",
      attempts: 0,
    });
    expect(entry?.errorMessage).toBe("store: id 23 is refused");

    // Still refused: the replay fails again and the entry stays, one attempt more.
    const again = await agora(dir, ["dlq", "replay", "items"]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("0 succeeded and are done, 1 failed again and stay");
    // Saying why, and dlq list shows that latest error.
    expect(again.stderr).toMatch(/dead letter \d+: .*id 23 is refused/);
    expect((await entries(dir))[0]).toMatchObject({ status: "pending", attempts: 1 });
    expect((await agora(dir, ["dlq", "list", "items"])).stdout).toMatch(/replay 1: .*id 23 is refused/);

    // Fixed: the replay succeeds, the record lands, the entry is done.
    project("reject", { rejectIds: [] });
    const fixed = await agora(dir, ["dlq", "replay", "items", "--mode", "sink"]);
    expect(fixed.exitCode).toBe(0);
    expect(fixed.stderr).toContain("1 succeeded and are done");
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(60));
    expect((await entries(dir))[0]).toMatchObject({ status: "done", attempts: 2 });

    // Nothing pending: a second replay sends nothing, so nothing is duplicated.
    const idle = await agora(dir, ["dlq", "replay", "items"]);
    expect(idle.stderr).toContain("replayed 0 of items's dead letters");
  });
});

describe("a record that fails validation", () => {
  it("goes to the DLQ at stage validate with the original record and the checkpoint of the moment", async () => {
    const dir = project("invalid");
    // A first, bounded run leaves a checkpoint at position 20.
    expect((await agora(dir, ["run", "items", "--max-records", "25"])).exitCode).toBe(0);
    injectFault(dir, { invalid_at: 34 });
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(0);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(60).filter((id) => id !== 34));
    const [entry] = await entries(dir);
    expect(entry).toMatchObject({
      stage: "validate",
      errorCode: "RECORD_INVALID",
      errorMessage: 'record field /id expected integer, got string "oops-34"',
      original: { id: "oops-34", name: "item 34", score: 8.5 },
    });
    // The checkpoint saved when the record failed: the first run's, or one this run confirmed before record 34.
    const position = (entry?.checkpoint as { bookmarks: { items: { position: number } } }).bookmarks.items.position;
    expect([20, 30]).toContain(position);
    const shown = JSON.parse((await agora(dir, ["dlq", "show", "items", String(entry?.id)])).stdout) as Entry;
    expect(shown.runId).toBe(entry?.runId);
    // A full replay validates again: still invalid, so it stays.
    await agora(dir, ["dlq", "replay", "items", "--stage", "validate"]);
    expect((await entries(dir))[0]).toMatchObject({ status: "pending", attempts: 1 });
    expect((await agora(dir, ["dlq", "purge", "items", "--status", "all"])).stderr).toContain("deleted 1 dead letter(s) of items");
    expect(await entries(dir)).toEqual([]);
  });

  it("stops the run under on_error = fail, naming stream, line and field", async () => {
    const dir = project("fail", { onError: "fail" });
    injectFault(dir, { invalid_at: 34 });
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /pipeline items, items, stream items, line 38: record rejected at validate: record field \/id expected integer, got string "oops-34"; the record: \{"id":"oops-34","name":"item 34","score":8.5\}\. .*\[RECORD_INVALID\]/,
    );
    expect(await entries(dir)).toEqual([]);
  });

  it("is counted and dropped under on_error = skip", async () => {
    const dir = project("skip", { onError: "skip" });
    injectFault(dir, { invalid_at: 34 });
    const result = await agora(dir, ["run", "items"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("1 skipped");
    expect(await entries(dir)).toEqual([]);
    expect(storedIds(join(dir, "dest.db"))).toEqual(range(60).filter((id) => id !== 34));
  });
});

describe("a record a middleware rejected", () => {
  it("is replayed through the fixed middleware, with the schema it makes, and lands once", async () => {
    const dir = join(root, "middleware-replay");
    const tap = `bash -c 'echo "{\\"type\\":\\"SCHEMA\\",\\"stream\\":\\"codes\\",\\"schema\\":{\\"type\\":\\"object\\",\\"properties\\":{\\"id\\":{\\"type\\":\\"integer\\"},\\"code\\":{\\"type\\":\\"string\\"}}},\\"key_properties\\":[\\"id\\"]}"; for i in 1 2 3; do c=$i; [ $i = 2 ] && c=x2; echo "{\\"type\\":\\"RECORD\\",\\"stream\\":\\"codes\\",\\"record\\":{\\"id\\":$i,\\"code\\":\\"$c\\"}}"; done; echo "{\\"type\\":\\"STATE\\",\\"value\\":{\\"done\\":true}}"'`;
    const withStep = (step: Record<string, unknown>): string =>
      pipelineProject(dir, { tap: { command: tap }, target: { command: "target-jsonl", config: { destination_path: "out" } }, middleware: [step] }, "items");
    withStep({ type: "coerce", fields: { code: "integer" } });
    await runSucceeds(dir, "items");
    const [rejected] = await entries(dir);
    expect(rejected).toMatchObject({ stage: "middleware", original: { id: 2, code: "x2" }, status: "pending" });

    // The fix: keep the code as text under another name. The full replay runs the record through it again.
    withStep({ type: "rename", fields: { code: "label" } });
    const replay = await agora(dir, ["dlq", "replay", "items"]);
    expect(replay.exitCode).toBe(0);
    expect(replay.stderr).toContain("1 succeeded and are done");
    const { readFileSync } = await import("node:fs");
    const stored = readFileSync(join(dir, "out", "codes.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as unknown);
    expect(stored).toEqual([
      { id: 1, code: 1 },
      { id: 3, code: 3 },
      { id: 2, label: "x2" },
    ]);
    expect((await entries(dir)).map((entry) => [entry.status, entry.attempts])).toEqual([["done", 1]]);
  });
});
