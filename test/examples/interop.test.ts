import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectorBin, examplePath, jsonLines, run, tempDir } from "../helpers/processes.js";

/**
 * Connectors in other languages speak the same protocol as ours: shell
 * pipelines in both directions, with the data compared value by value.
 */
const dir = tempDir();
const node = process.execPath;
const tapSample = connectorBin("tap-sample");
const targetJsonl = connectorBin("target-jsonl");
const pythonTap = examplePath("python", "tap_countries.py");
const pythonTarget = examplePath("python", "target_jsonl.py");
const bashTap = examplePath("bash", "tap-counter.sh");

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

function readJsonl(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as unknown);
}

/** Runs `left | right` in bash, failing if either side fails. */
function pipeline(left: string, right: string): ReturnType<typeof run> {
  return run("bash", ["-c", `set -o pipefail; ${left} | ${right}`]);
}

describe("a Python tap into our target", () => {
  it("delivers every record and confirms the tap's last STATE", async () => {
    const target = writeJson("py-tap-target.json", { destination_path: join(dir, "py-tap") });
    const result = await pipeline(`python3 ${pythonTap}`, `${node} ${targetJsonl} --config ${target}`);
    expect(result.exitCode).toBe(0);
    const countries = readJsonl(join(dir, "py-tap", "countries.jsonl"));
    expect(countries).toHaveLength(8);
    expect(countries[3]).toEqual({ code: "JP", name: "Japan", capital: "Tōkyō", population: 124500000, area_km2: 377975 });
    expect(jsonLines(result.stdout).at(-1)).toEqual({ bookmarks: { countries: { rows: 8 } } });
  });

  it("resumes from the STATE our target confirmed", async () => {
    const target = writeJson("py-resume-target.json", { destination_path: join(dir, "py-resume") });
    const limited = writeJson("py-limit.json", { limit: 3 });
    const first = await pipeline(`python3 ${pythonTap} --config ${limited}`, `${node} ${targetJsonl} --config ${target}`);
    const confirmed = jsonLines(first.stdout).at(-1);
    expect(confirmed).toEqual({ bookmarks: { countries: { rows: 3 } } });
    const state = writeJson("py-state.json", confirmed);
    const second = await pipeline(`python3 ${pythonTap} --state ${state}`, `${node} ${targetJsonl} --config ${target}`);
    expect(second.exitCode).toBe(0);
    const codes = readJsonl(join(dir, "py-resume", "countries.jsonl")).map((row) => (row as { code: string }).code);
    expect(codes).toEqual(["CH", "BR", "PL", "JP", "CA", "IS", "KE", "NZ"]);
  });
});

describe("a bash tap into our target", () => {
  it("delivers every record with its types", async () => {
    const tapConfig = writeJson("bash-tap.json", { count: 12 });
    const target = writeJson("bash-target.json", { destination_path: join(dir, "bash") });
    const result = await pipeline(`bash ${bashTap} --config ${tapConfig}`, `${node} ${targetJsonl} --config ${target}`);
    expect(result.exitCode).toBe(0);
    const ticks = readJsonl(join(dir, "bash", "ticks.jsonl"));
    expect(ticks).toHaveLength(12);
    expect(ticks[11]).toEqual({ n: 12, square: 144, label: "tick 12" });
  });
});

describe("our tap into a Python target", () => {
  it("delivers every record value for value, and the Python target confirms our STATE", async () => {
    const tapConfig = writeJson("sample.json", { users: 150, orders: 40, state_every_records: 50 });
    const target = writeJson("py-target.json", { destination_path: join(dir, "py-target"), batch_size: 30 });
    const result = await pipeline(`${node} ${tapSample} --config ${tapConfig}`, `python3 ${pythonTarget} --config ${target}`);
    expect(result.exitCode).toBe(0);
    const direct = jsonLines((await run(node, [tapSample, "--config", tapConfig])).stdout)
      .filter((message) => message["type"] === "RECORD" && message["stream"] === "users")
      .map((message) => message["record"]);
    expect(readJsonl(join(dir, "py-target", "users.jsonl"))).toEqual(direct);
    expect(readJsonl(join(dir, "py-target", "orders.jsonl"))).toHaveLength(40);
    expect(jsonLines(result.stdout).at(-1)).toEqual({ bookmarks: { users: { rows: 150 }, orders: { rows: 40 } } });
  });

  it("the Python tap honours property deselection in its discovered catalog", async () => {
    const catalog = JSON.parse((await run("python3", [pythonTap, "--discover"])).stdout) as {
      streams: Array<{ metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
    };
    for (const entry of catalog.streams[0]!.metadata) if (entry.breadcrumb[1] === "capital") entry.metadata["selected"] = false;
    const result = await run("python3", [pythonTap, "--catalog", writeJson("py-catalog.json", catalog)]);
    const records = jsonLines(result.stdout).filter((message) => message["type"] === "RECORD");
    expect(records).toHaveLength(8);
    expect(records[0]?.["record"]).not.toHaveProperty("capital");
  });
});

describe("resuming from a shell with tail -1, as the README shows", () => {
  it("our target's last line is a valid --state for our tap: the second sync sends only the rest", async () => {
    // The source grows from 25 to 30 users between the two syncs.
    const before = writeJson("tail-tap-25.json", { users: 25, orders: 0, state_every_records: 10 });
    const tapConfig = writeJson("tail-tap.json", { users: 30, orders: 0, state_every_records: 10 });
    const target = writeJson("tail-target.json", { destination_path: join(dir, "tail") });
    const state = join(dir, "tail-state.jsonl");
    const first = await pipeline(`${node} ${tapSample} --config ${before}`, `${node} ${targetJsonl} --config ${target} >> ${state}`);
    expect(first.exitCode).toBe(0);
    const resumed = await run("bash", [
      "-c",
      `set -o pipefail; tail -n 1 ${state} > ${state}.last && ${node} ${tapSample} --config ${tapConfig} --state ${state}.last | ${node} ${targetJsonl} --config ${target} >> ${state}`,
    ]);
    expect(resumed.exitCode).toBe(0);
    const ids = readJsonl(join(dir, "tail", "users.jsonl")).map((row) => (row as { id: number }).id);
    expect(ids).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
  });

  it("a classic Python target's last line resumes our tap the same way", async () => {
    const tapConfig = writeJson("tail-py-tap.json", { users: 12, orders: 0, state_every_records: 4 });
    const target = writeJson("tail-py-target.json", { destination_path: join(dir, "tail-py"), batch_size: 4 });
    const state = join(dir, "tail-py-state.jsonl");
    await pipeline(`${node} ${tapSample} --config ${tapConfig}`, `python3 ${pythonTarget} --config ${target} >> ${state}`);
    const last = readFileSync(state, "utf8").trim().split("\n").at(-1) ?? "";
    expect(JSON.parse(last)).toEqual({ bookmarks: { users: { rows: 12 } } });
  });
});
