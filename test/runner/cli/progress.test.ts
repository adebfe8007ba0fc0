import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pipelineProject } from "../../helpers/pipeline-project.js";
import { AGORA, agora } from "../../helpers/project.js";
import { run, tempDir } from "../../helpers/processes.js";

const dir = tempDir("agora-progress-");
const hasScript = ((): boolean => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** A tap writing a record every 50 ms, 1.5 seconds in all: a run long enough for progress lines that costs next to no CPU. */
const SLOW_TAP = `#!/usr/bin/env bash
for arg in "$@"; do
  if [ "$arg" = "--about" ]; then echo '{"name":"tap-slow","version":"1.0.0","capabilities":[]}'; exit 0; fi
done
echo '{"type":"SCHEMA","stream":"users","schema":{"type":"object","properties":{"id":{"type":"integer"}}},"key_properties":["id"]}'
for id in $(seq 1 30); do
  printf '{"type":"RECORD","stream":"users","record":{"id":%d}}\\n' "$id"
  sleep 0.05
done
echo '{"type":"STATE","value":{"done":30}}'
`;

/** A project whose pipeline `sample` runs the slow tap into target-sqlite, with `schedule` for the worker. */
const project = (name: string, schedule?: { once: true }): string => {
  const cwd = pipelineProject(
    join(dir, name),
    {
      tap: { command: "./slow-tap.sh" },
      target: { command: "target-sqlite", config: { database: "out.db" } },
      ...(schedule === undefined ? {} : { schedule }),
    },
    "sample",
  );
  writeFileSync(join(cwd, "slow-tap.sh"), SLOW_TAP, { mode: 0o755 });
  return cwd;
};

describe("progress on a terminal", () => {
  it.skipIf(!hasScript)("redraws a live line (records, rate, per stream) under a pseudo-terminal, then prints the summary", async () => {
    const cwd = project("tty");
    // `script` runs agora with a pseudo-terminal as its stdout and stderr, as a user's shell would.
    const result = await run("script", ["-qec", `${process.execPath} ${AGORA} run sample`, join(cwd, "typescript.out")], { cwd });
    expect(result.exitCode).toBe(0);
    const screen = readFileSync(join(cwd, "typescript.out"), "utf8");
    const lines = [...screen.matchAll(/\r\x1b\[2Ksample: ([\d,]+) records \(([\d,]+)\/s\) · users ([\d,]+)/g)];
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const counts = lines.map((line) => Number((line[1] as string).replace(/,/g, "")));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(screen).toContain("pipeline sample succeeded");
    // Log lines written while the progress line is shown start on a line of their own, never glued to it.
    const logged = [...screen.matchAll(/target-sqlite \| /g)];
    expect(logged.length).toBeGreaterThan(0);
    for (const match of logged) expect(screen.slice(0, match.index).endsWith("\x1b[2K") || screen.slice(0, match.index).endsWith("\n")).toBe(true);
  });

  it("draws no live line when not on a terminal", async () => {
    const result = await agora(project("pipe"), ["run", "sample"]);
    expect(result.stderr).not.toContain("\x1b[2K");
    expect(result.stderr).toMatch(/pipeline sample succeeded in [\d.]+ s: read 30 /);
  });
});

/** The counts of the progress lines in a log, in order. */
function progressCounts(log: string): number[] {
  return [...log.matchAll(/^agora info: progress sample: ([\d,]+) records \([\d,]+\/s\)(?: · users [\d,]+)?$/gm)].map((line) =>
    Number((line[1] as string).replace(/,/g, "")),
  );
}

describe("progress off a terminal", () => {
  it("logs a line every --progress-interval seconds: records, rate, per stream", async () => {
    const result = await agora(project("interval"), ["run", "sample", "--progress-interval", "0.05"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const counts = progressCounts(result.stderr);
    expect(counts.length).toBeGreaterThan(0);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.every((count) => count <= 30)).toBe(true);
    expect(progressCounts((await agora(project("quiet"), ["run", "sample", "--no-progress", "--progress-interval", "0.05"])).stderr)).toEqual([]);
  });

  it("logs each running pipeline's progress in the worker's log", async () => {
    const cwd = project("worker", { once: true });
    const result = await agora(cwd, ["worker", "--progress-interval", "0.05"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(progressCounts(result.stderr).length).toBeGreaterThan(0);
  });
});
