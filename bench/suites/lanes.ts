import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BenchInputs } from "../files.js";
import { formatRate } from "../measure.js";
import { measureProcess, type ProcessRun } from "../process-stats.js";

/** One pipeline run through agora run: its rows, wall time, and the runner's own CPU and memory. */
export interface LaneRun {
  readonly target: string;
  readonly lane: "arrow" | "record";
  readonly rows: number;
  readonly run: ProcessRun;
}

export interface LaneResults {
  readonly markdown: string;
  readonly runs: readonly LaneRun[];
  /** DuckDB loading the same files by itself (the yardstick of target-duckdb's Arrow lane), at the largest size. */
  readonly duckdbOwnLoad: { readonly rows: number; readonly run: ProcessRun } | undefined;
}

const TARGETS = ["target-parquet", "target-duckdb"] as const;

/**
 * tap-parquet → target-parquet and → target-duckdb through `agora run`, on
 * the Arrow lane (tap-parquet's batch_config format arrow: row groups go to
 * the targets as Arrow files) and on the RECORD lane (the same pipeline
 * without batch_config), side by side on the same 10-column file. The
 * Arrow lane is also run on `streams` copies of the file as many streams,
 * to see whether memory grows with the rows.
 */
export async function runLaneBench(root: string, rows: number, streams: number, work: string, inputs: BenchInputs): Promise<LaneResults> {
  const agora = join(root, "dist", "runner", "cli", "bin.js");
  const { path: parquet } = await inputs.get("parquet10", rows);
  const runs: LaneRun[] = [];
  const measure = async (target: string, lane: "arrow" | "record", copies: number): Promise<void> => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const files = Array.from({ length: copies }, (_, index) => ({ path: parquet, stream: copies === 1 ? "users" : `users_${index}`, key_properties: ["id"] }));
    writeFileSync(
      join(work, "tap.json"),
      JSON.stringify({ files, ...(lane === "arrow" ? { batch_config: { format: "arrow", root: join(work, "batches") } } : {}) }),
    );
    writeFileSync(join(work, "target.json"), JSON.stringify(target === "target-parquet" ? { destination_path: "out" } : { database: "out/out.duckdb" }));
    process.stderr.write(`lanes: tap-parquet → ${target}, ${lane} lane, ${(rows * copies).toLocaleString("en")} rows…\n`);
    const run = await measureProcess(
      agora,
      ["--state-store", join(work, "state.db"), "run", "--no-progress", "--tap", "tap-parquet --config tap.json", "--target", `${target} --config target.json`],
      undefined,
      work,
      true,
    );
    if (run.exitCode !== 0) throw new Error(`agora run (${target}, ${lane} lane) failed: ${run.stderr}`);
    runs.push({ target, lane, rows: rows * copies, run });
  };
  for (const target of TARGETS) {
    await measure(target, "arrow", 1);
    await measure(target, "record", 1);
    if (streams > 1) await measure(target, "arrow", streams);
  }
  // The yardstick: DuckDB making the same tables from the same files by itself, in a process of its own.
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const copies = Math.max(1, streams);
  process.stderr.write(`lanes: DuckDB loading the Parquet file by itself, ${(rows * copies).toLocaleString("en")} rows…\n`);
  const ownLoad = await measureProcess(join(root, "dist", "bench", "duckdb-load.js"), [
    join(work, "own.duckdb"),
    ...Array.from({ length: copies }, () => parquet),
  ]);
  if (ownLoad.exitCode !== 0) throw new Error(`DuckDB's own load failed: ${ownLoad.stderr}`);
  const duckdbOwnLoad = { rows: rows * copies, run: ownLoad };
  rmSync(work, { recursive: true, force: true });

  const find = (target: string, lane: string, count: number): LaneRun | undefined =>
    runs.find((run) => run.target === target && run.lane === lane && run.rows === count);
  const lines = [
    `tap-parquet → target through \`agora run\`, 10 flat columns (bigint, text, double, boolean, timestamp), row groups of 100,000 rows. Arrow lane: the tap's batch_config format arrow, so each row group reaches the target as an Arrow file; RECORD lane: the same pipeline sending RECORD messages. Runner CPU and RSS are the runner process's own.`,
    "",
    "| pipeline | lane | rows | seconds | rows/s | Arrow ÷ RECORD | runner CPU per row (µs) | RECORD ÷ Arrow runner CPU | runner peak RSS (MB) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const run of runs) {
    const record = find(run.target, "record", rows);
    const arrowSameSize = find(run.target, "arrow", rows);
    const speedup = run.lane === "arrow" && record !== undefined && run.rows === rows ? `${(record.run.seconds / run.run.seconds).toFixed(1)}×` : "";
    const cpuRatio =
      run.lane === "arrow" && record !== undefined && run.rows === rows && arrowSameSize !== undefined
        ? `${(record.run.cpuSeconds / record.rows / (run.run.cpuSeconds / run.rows)).toFixed(0)}×`
        : "";
    lines.push(
      `| tap-parquet → ${run.target} | ${run.lane} | ${run.rows.toLocaleString("en")} | ${run.run.seconds.toFixed(2)} | ${formatRate(run.rows / run.run.seconds)} | ${speedup} | ${((run.run.cpuSeconds / run.rows) * 1e6).toFixed(3)} | ${cpuRatio} | ${(run.run.peakRssBytes / 2 ** 20).toFixed(0)} |`,
    );
  }
  lines.push(
    "",
    `DuckDB by itself (\`CREATE TABLE … AS SELECT * FROM read_parquet(…)\`, a transaction per file, in one process): ${duckdbOwnLoad.rows.toLocaleString("en")} rows in ${ownLoad.seconds.toFixed(2)} s (${formatRate(duckdbOwnLoad.rows / ownLoad.seconds)} rows/s).`,
  );
  return { markdown: lines.join("\n"), runs, duckdbOwnLoad };
}
