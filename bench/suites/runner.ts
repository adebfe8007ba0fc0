import { spawn } from "node:child_process";
import { createReadStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LineSplitter } from "../../protocol/index.js";
import { writeBenchCsv, writeBenchMessages } from "../files.js";
import { formatRate } from "../measure.js";
import { measureProcess } from "../process-stats.js";

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
async function jsonCeiling(file: string): Promise<number> {
  let lines = 0;
  const splitter = new LineSplitter((line) => {
    JSON.stringify(JSON.parse(line));
    lines += 1;
  });
  const start = process.hrtime.bigint();
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 })) splitter.push(chunk as Buffer);
  splitter.end();
  return lines / (Number(process.hrtime.bigint() - start) / 1e9);
}

export interface RunnerFigures {
  readonly rows: number;
  readonly ceilingPerSecond: number;
  readonly hopPerSecond: number;
  readonly hopMegabytesPerSecond: number;
  readonly directPerSecond: number;
  readonly throughAgoraPerSecond: number;
  readonly runnerPeakRssBytes: number;
  readonly hopPeakRssBytes: number;
}

/**
 * The runner's cost. The hop alone: a pre-generated message file piped by a
 * trivial tap (`cat`) through `agora run` (validation on) into a target that
 * discards, against the in-process JSON ceiling. A real pipeline: tap-csv →
 * target-jsonl as a direct shell pipe and through `agora run`.
 */
export async function runRunnerBench(root: string, sizes: readonly number[], work: string): Promise<{ markdown: string; figures: RunnerFigures[] }> {
  const agora = join(root, "dist", "runner", "cli", "bin.js");
  const bin = (name: string): string => `${process.execPath} ${join(root, "dist", "connectors", name, "bin.js")}`;
  const figures: RunnerFigures[] = [];
  for (const rows of sizes) {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    process.stderr.write(`runner: generating ${rows.toLocaleString("en")} rows…\n`);
    const messages = join(work, "messages.jsonl");
    const messageBytes = await writeBenchMessages(messages, rows);
    await writeBenchCsv(join(work, "users.csv"), rows);
    writeFileSync(join(work, "tap.json"), JSON.stringify({ files: [{ path: "users.csv", key_properties: ["id"] }] }));
    writeFileSync(join(work, "target.json"), JSON.stringify({ destination_path: "out" }));

    process.stderr.write("runner: JSON ceiling…\n");
    const ceilingPerSecond = await jsonCeiling(messages);

    process.stderr.write("runner: the hop alone…\n");
    const hop = await measureProcess(agora, ["--state-store", join(work, "hop.db"), "run", "--no-progress", "--tap", `cat ${messages}`, "--target", "bash -c 'cat > /dev/null'"]);
    if (hop.exitCode !== 0) throw new Error(`agora run (hop) failed: ${hop.stderr}`);

    process.stderr.write("runner: tap-csv | target-jsonl, direct…\n");
    rmSync(join(work, "out"), { recursive: true, force: true });
    const direct = await timeShell(`${bin("tap-csv")} --config tap.json | ${bin("target-jsonl")} --config target.json`, work);

    process.stderr.write("runner: tap-csv → target-jsonl through agora run…\n");
    rmSync(join(work, "out"), { recursive: true, force: true });
    const through = await measureProcess(agora, ["--state-store", join(work, "state.db"), "run", "--no-progress", "--tap", "tap-csv --config tap.json", "--target", "target-jsonl --config target.json"], undefined, work);
    if (through.exitCode !== 0) throw new Error(`agora run failed: ${through.stderr}`);

    figures.push({
      rows,
      ceilingPerSecond,
      hopPerSecond: rows / hop.seconds,
      hopMegabytesPerSecond: messageBytes / 1e6 / hop.seconds,
      directPerSecond: rows / direct,
      throughAgoraPerSecond: rows / through.seconds,
      runnerPeakRssBytes: through.peakRssBytes,
      hopPeakRssBytes: hop.peakRssBytes,
    });
  }
  rmSync(work, { recursive: true, force: true });

  const lines = [
    "| rows | ceiling (JSON.parse+stringify, msgs/s) | runner hop (msgs/s) | hop MB/s | hop ÷ ceiling | runner RSS in hop (MB) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ...figures.map((f) => `| ${f.rows.toLocaleString("en")} | ${formatRate(f.ceilingPerSecond)} | ${formatRate(f.hopPerSecond)} | ${f.hopMegabytesPerSecond.toFixed(1)} | ${(f.hopPerSecond / f.ceilingPerSecond).toFixed(2)} | ${(f.hopPeakRssBytes / 2 ** 20).toFixed(0)} |`),
    "",
    "| rows | tap-csv \\| target-jsonl direct (rows/s) | through agora run (rows/s) | agora ÷ direct | runner peak RSS (MB) |",
    "| ---: | ---: | ---: | ---: | ---: |",
    ...figures.map((f) => `| ${f.rows.toLocaleString("en")} | ${formatRate(f.directPerSecond)} | ${formatRate(f.throughAgoraPerSecond)} | ${(f.throughAgoraPerSecond / f.directPerSecond).toFixed(2)} | ${(f.runnerPeakRssBytes / 2 ** 20).toFixed(0)} |`),
  ];
  if (figures.length >= 2) {
    const [small, large] = [figures[0] as RunnerFigures, figures.at(-1) as RunnerFigures];
    lines.push("", `Runner peak RSS at ${large.rows.toLocaleString("en")} rows ÷ at ${small.rows.toLocaleString("en")}: ${(large.runnerPeakRssBytes / small.runnerPeakRssBytes).toFixed(2)}× (pipeline), ${(large.hopPeakRssBytes / small.hopPeakRssBytes).toFixed(2)}× (hop).`);
  }
  return { markdown: lines.join("\n"), figures };
}
