import { spawn } from "node:child_process";
import { createReadStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LineSplitter } from "../../protocol/index.js";
import type { BenchInputs } from "../files.js";
import { formatRate } from "../measure.js";
import { measureProcess, type ProcessRun } from "../process-stats.js";

/** Runs a shell command line to completion; returns its wall time in seconds. */
function timeShell(command: string, cwd: string): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", `set -o pipefail; ${command}`], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e9) : reject(new Error(`${command} failed: ${stderr}`))));
  });
}

/** The in-process ceiling: JSON.parse + JSON.stringify of every line of a file, streamed. Returns lines/s. */
/** Messages the in-process ceiling reads at most: a rate per message, which more of the same file would not change (at 5M it saved 20 s of the bench). */
const CEILING_LINES = 1_000_000;

async function jsonCeiling(file: string): Promise<number> {
  let lines = 0;
  const splitter = new LineSplitter((line) => {
    if (lines === CEILING_LINES) return;
    JSON.stringify(JSON.parse(line));
    lines += 1;
  });
  const start = process.hrtime.bigint();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) {
    splitter.push(chunk as Buffer);
    if (lines === CEILING_LINES) break;
  }
  splitter.end();
  return lines / (Number(process.hrtime.bigint() - start) / 1e9);
}

/** One real pipeline, run as a direct shell pipe and through agora run. */
export interface PipelineFigures {
  readonly target: string;
  readonly directPerSecond: number;
  readonly throughAgoraPerSecond: number;
  readonly runnerPeakRssBytes: number;
}

/** target-jsonl reading the message file directly, and the same through `agora run` with `cat` as the tap. */
export interface HopAgainstTarget {
  readonly directPerSecond: number;
  readonly throughAgoraPerSecond: number;
  readonly runnerCpuPerMessage: number;
  readonly targetCpuPerMessage: number;
}

export interface RunnerFigures {
  readonly rows: number;
  readonly againstTarget: HopAgainstTarget;
  readonly ceilingPerSecond: number;
  readonly hopPerSecond: number;
  readonly hopMegabytesPerSecond: number;
  readonly hopPeakRssBytes: number;
  readonly pipelines: readonly PipelineFigures[];
}

/** Which targets the tap-csv pipeline is measured with at a size: SQLite only up to `sqliteUpTo` rows, to keep the suite short. */
function targetsAt(rows: number, sqliteUpTo: number): string[] {
  return rows <= sqliteUpTo ? ["target-jsonl", "target-sqlite"] : ["target-jsonl"];
}

/**
 * The runner's cost. The hop alone: a pre-generated message file piped by a
 * trivial tap (`cat`) through `agora run` (validation on) into a target that
 * discards, against the in-process JSON ceiling. A real pipeline: tap-csv →
 * target-jsonl as a direct shell pipe and through `agora run`.
 */
export async function runRunnerBench(
  root: string,
  sizes: readonly number[],
  work: string,
  inputs: BenchInputs,
  sqliteUpTo = 1_000_000,
  /** target-jsonl alone on the message file of a size, when the connectors suite already ran it: not run twice. */
  targetJsonlRun: (rows: number) => ProcessRun | undefined = () => undefined,
): Promise<{ markdown: string; figures: RunnerFigures[] }> {
  const agora = join(root, "dist", "runner", "cli", "bin.js");
  const bin = (name: string): string => `${process.execPath} ${join(root, "dist", "connectors", name, "bin.js")}`;
  const figures: RunnerFigures[] = [];
  for (const rows of sizes) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    process.stderr.write(`runner: generating ${rows.toLocaleString("en")} rows…\n`);
    const { path: messages, bytes: messageBytes } = await inputs.get("messages", rows);
    const csv = await inputs.get("csv", rows);
    writeFileSync(join(work, "tap.json"), JSON.stringify({ files: [{ path: csv.path, stream: "users", key_properties: ["id"] }] }));
    writeFileSync(join(work, "target-jsonl.json"), JSON.stringify({ destination_path: "out" }));
    writeFileSync(join(work, "target-sqlite.json"), JSON.stringify({ database: "out/out.db" }));

    process.stderr.write("runner: JSON ceiling…\n");
    const ceilingPerSecond = await jsonCeiling(messages);

    process.stderr.write("runner: the hop alone…\n");
    const hop = await measureProcess(
      agora,
      ["--state-store", join(work, "hop.db"), "run", "--no-progress", "--tap", `cat ${messages}`, "--target", "bash -c 'cat > /dev/null'"],
      undefined,
      undefined,
      true,
    );
    if (hop.exitCode !== 0) throw new Error(`agora run (hop) failed: ${hop.stderr}`);

    process.stderr.write("runner: target-jsonl < file, and cat → target-jsonl through agora run…\n");
    rmSync(join(work, "out"), { recursive: true, force: true });
    const targetAlone =
      targetJsonlRun(rows) ??
      (await measureProcess(join(root, "dist", "connectors", "target-jsonl", "bin.js"), ["--config", "target-jsonl.json"], messages, work, true));
    if (targetAlone.exitCode !== 0) throw new Error(`target-jsonl failed: ${targetAlone.stderr}`);
    rmSync(join(work, "out"), { recursive: true, force: true });
    const catThrough = await measureProcess(
      agora,
      [
        "--state-store",
        join(work, "cat.db"),
        "run",
        "--no-progress",
        "--tap",
        `cat ${messages}`,
        "--target",
        `${bin("target-jsonl")} --config target-jsonl.json`,
      ],
      undefined,
      work,
      true,
    );
    if (catThrough.exitCode !== 0) throw new Error(`agora run (cat → target-jsonl) failed: ${catThrough.stderr}`);
    const againstTarget: HopAgainstTarget = {
      directPerSecond: rows / targetAlone.seconds,
      throughAgoraPerSecond: rows / catThrough.seconds,
      runnerCpuPerMessage: catThrough.cpuSeconds / rows,
      targetCpuPerMessage: targetAlone.cpuSeconds / rows,
    };

    const pipelines: PipelineFigures[] = [];
    for (const target of targetsAt(rows, sqliteUpTo)) {
      process.stderr.write(`runner: tap-csv | ${target}, direct…\n`);
      rmSync(join(work, "out"), { recursive: true, force: true });
      const direct = await timeShell(`${bin("tap-csv")} --config tap.json | ${bin(target)} --config ${target}.json`, work);
      process.stderr.write(`runner: tap-csv → ${target} through agora run…\n`);
      rmSync(join(work, "out"), { recursive: true, force: true });
      const through = await measureProcess(
        agora,
        [
          "--state-store",
          join(work, `${target}-state.db`),
          "run",
          "--no-progress",
          "--tap",
          "tap-csv --config tap.json",
          "--target",
          `${target} --config ${target}.json`,
        ],
        undefined,
        work,
        true,
      );
      if (through.exitCode !== 0) throw new Error(`agora run failed: ${through.stderr}`);
      pipelines.push({ target, directPerSecond: rows / direct, throughAgoraPerSecond: rows / through.seconds, runnerPeakRssBytes: through.peakRssBytes });
    }

    figures.push({
      rows,
      againstTarget,
      ceilingPerSecond,
      hopPerSecond: rows / hop.seconds,
      hopMegabytesPerSecond: messageBytes / 1e6 / hop.seconds,
      hopPeakRssBytes: hop.peakRssBytes,
      pipelines,
    });
  }
  rmSync(work, { recursive: true, force: true });

  const lines = [
    "| rows | ceiling (JSON.parse+stringify, msgs/s, at most 1M of them) | runner hop (msgs/s) | hop MB/s | hop ÷ ceiling | runner RSS in hop (MB) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ...figures.map(
      (f) =>
        `| ${f.rows.toLocaleString("en")} | ${formatRate(f.ceilingPerSecond)} | ${formatRate(f.hopPerSecond)} | ${f.hopMegabytesPerSecond.toFixed(1)} | ${(f.hopPerSecond / f.ceilingPerSecond).toFixed(2)} | ${(f.hopPeakRssBytes / 2 ** 20).toFixed(0)} |`,
    ),
    "",
    "The runner against the target it feeds: target-jsonl reading the message file on stdin (the connectors suite's run of it, when that suite ran too), and the same file through `agora run --tap 'cat file'` into target-jsonl (validation on). CPU is each process's own (user + system).",
    "",
    "| rows | target-jsonl < file (msgs/s) | agora run, cat → target-jsonl (msgs/s) | agora ÷ direct | runner CPU per message (µs) | target-jsonl CPU per message (µs) | runner ÷ target CPU |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...figures.map(
      ({ rows, againstTarget: a }) =>
        `| ${rows.toLocaleString("en")} | ${formatRate(a.directPerSecond)} | ${formatRate(a.throughAgoraPerSecond)} | ${(a.throughAgoraPerSecond / a.directPerSecond).toFixed(2)} | ${(a.runnerCpuPerMessage * 1e6).toFixed(2)} | ${(a.targetCpuPerMessage * 1e6).toFixed(2)} | ${(a.runnerCpuPerMessage / a.targetCpuPerMessage).toFixed(2)} |`,
    ),
    "",
    "| pipeline | rows | direct shell pipe (rows/s) | through agora run (rows/s) | agora ÷ direct | runner peak RSS (MB) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...figures.flatMap((f) =>
      f.pipelines.map(
        (p) =>
          `| tap-csv → ${p.target} | ${f.rows.toLocaleString("en")} | ${formatRate(p.directPerSecond)} | ${formatRate(p.throughAgoraPerSecond)} | ${(p.throughAgoraPerSecond / p.directPerSecond).toFixed(2)} | ${(p.runnerPeakRssBytes / 2 ** 20).toFixed(0)} |`,
      ),
    ),
  ];
  const at = (rows: number): RunnerFigures | undefined => figures.find((f) => f.rows === rows);
  const [small, large] = [at(1_000_000) ?? figures.at(-2), figures.at(-1)];
  if (small !== undefined && large !== undefined && small !== large) {
    const pipelineRss = (f: RunnerFigures): number => f.pipelines.find((p) => p.target === "target-jsonl")?.runnerPeakRssBytes ?? Number.NaN;
    lines.push(
      "",
      `Runner peak RSS at ${large.rows.toLocaleString("en")} rows ÷ at ${small.rows.toLocaleString("en")}: ${(pipelineRss(large) / pipelineRss(small)).toFixed(2)}× in tap-csv → target-jsonl (${(pipelineRss(large) / 2 ** 20).toFixed(0)} MB at ${large.rows.toLocaleString("en")}), ${(large.hopPeakRssBytes / small.hopPeakRssBytes).toFixed(2)}× in the hop.`,
    );
  }
  return { markdown: lines.join("\n"), figures };
}
