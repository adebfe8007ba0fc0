import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeProject } from "../../helpers/pipeline-project.js";
import { CLASSIC_TARGET_PY, agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-explain-");

function project(name: string, pipeline: Record<string, unknown>, batches: boolean): string {
  return writeProject(join(root, name), {
    connectors: {
      items: {
        command: "tap-csv",
        config: { files: [{ path: "items.csv", stream: "items" }], ...(batches ? { batch_config: { format: "jsonl" } } : {}) },
      },
      native: { command: "target-jsonl", config: { destination_path: "out-native" } },
      classic: { command: `python3 ${CLASSIC_TARGET_PY}`, config: { destination: "out-classic" } },
    },
    pipelines: { items: { tap: "items", targets: ["native", "classic"], ...pipeline } },
  });
}

describe("agora explain", () => {
  it("shows per target whether it gets the tap's batches as sent or downgraded to RECORDs, without running the pipeline", async () => {
    const dir = project("mixed", {}, true);
    const result = await agora(dir, ["explain", "items"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "pipeline items",
      "  tap items (tap-csv): sends batches (jsonl): its batch_config asks for jsonl batch files",
      "  validation: each RECORD against its stream's SCHEMA; each BATCH file once (files, format; an Arrow file's column types, a jsonl file's first row)",
      "  records: parsed and validated here: every stream goes to all 2 targets, and each would dead-letter an invalid record on its own",
      "  middleware: none",
      "  lane: batches",
      "  target native (target-jsonl), every stream: receives batches as sent: it reads jsonl batches: each BATCH is sent as it is",
      `  target classic (python3 ${CLASSIC_TARGET_PY}), every stream: receives rows (downgraded): it reads no jsonl batches: each BATCH is expanded into RECORDs at its boundary`,
      `  checkpoint: the newest STATE all 2 target(s) confirmed, saved in ${join(dir, ".agora", "state.db")}; handed to the tap as --state on the next run`,
      `  dead letters: rejected records (validation, middleware, a target's write) and bad batches go to the dead-letter queue in ${join(dir, ".agora", "state.db")}`,
      "",
    ]);
    // Nothing ran: no target wrote, no run is on record.
    expect(existsSync(join(dir, "out-native"))).toBe(false);
    expect((await agora(dir, ["runs", "list"])).stdout).not.toContain("items");
  });

  it("--json: with middleware every target gets rows, each saying why; a route with where gets rows too", async () => {
    const dir = project("middleware", { middleware: [{ type: "drop", fields: ["name"] }], onError: "fail" }, true);
    const result = await agora(dir, ["--json", "explain", "items"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as { lane: string; middleware: unknown[]; targets: Array<Record<string, unknown>>; deadLetters: string };
    expect(plan.lane).toBe("rows");
    expect(plan.middleware).toEqual([{ step: "drop", planes: ["rows", "arrow"] }]);
    expect(plan.targets.map((target) => [target["name"], target["receives"], target["downgraded"], target["why"]])).toEqual([
      ["native", "rows", true, "batches enter the row lane at the source: the middleware works on jsonl batches as rows (columnar on Arrow batches only)"],
      ["classic", "rows", true, "batches enter the row lane at the source: the middleware works on jsonl batches as rows (columnar on Arrow batches only)"],
    ]);
    expect(plan.deadLetters).toBe("a rejected record or bad batch fails the run (on_error = fail)");
  });

  it("a tap without batch_config sends rows, and says it could send batches", async () => {
    const dir = project("rows", {}, false);
    const result = await agora(dir, ["--json", "explain", "items"]);
    const plan = JSON.parse(result.stdout) as { tap: Record<string, unknown>; lane: string; targets: Array<Record<string, unknown>> };
    expect(plan.tap).toMatchObject({ emits: "rows", why: "RECORD messages (it can send batches: set batch_config in its config)" });
    expect(plan.lane).toBe("rows");
    expect(plan.targets.map((target) => [target["receives"], target["downgraded"]])).toEqual([
      ["rows", false],
      ["rows", false],
    ]);
  });
});
