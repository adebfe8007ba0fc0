import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { median } from "../measure.js";
import { measureProcess } from "../process-stats.js";

/** A small pipeline's wall time, median of its rounds: through agora run with a fresh state store, and as a shell pipe. */
export interface StartUpFigures {
  readonly records: number;
  readonly agoraSeconds: number;
  readonly pipeSeconds: number;
  readonly markdown: string;
}

/**
 * What a user waits for before any data: tap-csv → target-jsonl on a
 * 20-row CSV, through `agora run` in a fresh project folder (a new state
 * store, nothing cached) and as a shell pipe, taking turns, `rounds` each.
 */
export async function runStartUpBench(root: string, work: string, rounds: number, records = 20): Promise<StartUpFigures> {
  const agora = join(root, "dist", "runner", "cli", "bin.js");
  const bin = (name: string): string => `${process.execPath} ${join(root, "dist", "connectors", name, "bin.js")}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const csv = join(work, "small.csv");
  writeFileSync(csv, ["id,name,amount", ...Array.from({ length: records }, (_, index) => `${index},name ${index},${index * 1.5}`)].join("\n"));
  const through: number[] = [];
  const piped: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const project = join(work, `project-${round}`);
    mkdirSync(project);
    writeFileSync(join(project, "tap.json"), JSON.stringify({ files: [{ path: csv, stream: "small", key_properties: ["id"] }] }));
    writeFileSync(join(project, "target.json"), JSON.stringify({ destination_path: "out" }));
    const run = await measureProcess(
      agora,
      ["run", "--no-progress", "--tap", "tap-csv --config tap.json", "--target", "target-jsonl --config target.json"],
      undefined,
      project,
      true,
    );
    if (run.exitCode !== 0) throw new Error(`agora run (${records} records) failed: ${run.stderr}`);
    through.push(run.seconds);
    const pipe = await measureProcess(
      "bash",
      ["-c", `set -o pipefail; ${bin("tap-csv")} --config tap.json | ${bin("target-jsonl")} --config target.json > /dev/null`],
      undefined,
      project,
      true,
    );
    if (pipe.exitCode !== 0) throw new Error(`the shell pipe (${records} records) failed: ${pipe.stderr}`);
    piped.push(pipe.seconds);
  }
  rmSync(work, { recursive: true, force: true });
  const [agoraSeconds, pipeSeconds] = [median(through), median(piped)];
  const markdown = [
    `tap-csv → target-jsonl on a ${records}-row CSV, median of ${rounds} rounds taking turns: through \`agora run\` in a fresh project folder (a new state store, no cached --about answers), and as a shell pipe.`,
    "",
    "| how | wall (median) | each round |",
    "| --- | ---: | --- |",
    `| agora run | ${agoraSeconds.toFixed(2)} s | ${through.map((seconds) => seconds.toFixed(2)).join(", ")} |`,
    `| tap-csv \\| target-jsonl | ${pipeSeconds.toFixed(2)} s | ${piped.map((seconds) => seconds.toFixed(2)).join(", ")} |`,
  ].join("\n");
  return { records, agoraSeconds, pipeSeconds, markdown };
}
