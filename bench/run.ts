/**
 * `npm run bench`: runs the benchmark suites and writes bench/RESULTS.md.
 * Options: --quick (small inputs, a smoke run that writes no results),
 * --only framing|parquet|connectors|peers|runner|lanes|streams|console|against (one suite; written to RESULTS-SUITE.md, RESULTS.md keeps the whole run's),
 * --against REF (the commit the hot paths are compared with; by default, in a full run, the one before the exact-values work).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startThrowawayPostgres } from "./postgres-server.js";
import { BenchInputs, writeBenchCsv, writeBenchMessages } from "./files.js";
import { goalsTable } from "./goals.js";
import { runConnectorBench, runOf, type ConnectorResults } from "./suites/connectors.js";
import { runCsvParserBench } from "./suites/csv-parsers.js";
import { runFramingBench } from "./suites/framing.js";
import { runParquetReaderBench } from "./suites/parquet-readers.js";
import { runPeerBench, type PeerResults } from "./suites/peers.js";
import { runLaneBench, type LaneResults } from "./suites/lanes.js";
import { runRunnerBench, type RunnerFigures } from "./suites/runner.js";
import { runSerializerBench } from "./suites/serializers.js";
import { runStartUpBench, type StartUpFigures } from "./suites/start-up.js";
import { runStreamsBench, type StreamScaling } from "./suites/streams.js";
import { runConsoleBench } from "./suites/console.js";
import { type AgainstFigures, EXACT_VALUES_BASE, runAgainstBench } from "./suites/against.js";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyFlag = args.indexOf("--only");
const only = onlyFlag >= 0 ? args[onlyFlag + 1] : undefined;
const againstFlag = args.indexOf("--against");
const againstRef = againstFlag >= 0 ? args[againstFlag + 1] : quick ? undefined : EXACT_VALUES_BASE;
const root = fileURLToPath(new URL("../../", import.meta.url));
const work = join(tmpdir(), `agora-bench-${process.pid}`);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
const startedAt = new Date();
/** The report's head, made at the end so it can say how long the bench took. */
const header = (): string[] => [
  "# Benchmark results",
  "",
  `- date: ${startedAt.toISOString()}`,
  `- machine: ${machine}`,
  `- node: ${process.version}`,
  `- command: npm run bench${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`,
  `- took: ${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min${suiteMinutes.length > 1 ? ` (minutes per suite: ${suiteMinutes.join(", ")})` : ""}`,
  "",
];
/** How long each suite took, for the report's head (the whole bench must stay under fifteen minutes). */
const suiteMinutes: string[] = [];
let suiteStart = Date.now();
/** Ends the suite that started at the previous call (or at the start), naming it. */
function suiteDone(name: string): void {
  const minutes = (Date.now() - suiteStart) / 60_000;
  suiteMinutes.push(`${name} ${minutes.toFixed(1)}`);
  process.stderr.write(`${name}: done in ${minutes.toFixed(1)} min\n`);
  suiteStart = Date.now();
}
const goals: string[] = [];
const sections: string[] = [];
/**
 * Rounds of the in-process suites (the best is kept; the contenders take
 * turns within a round). One: with two, the bench took 15.2 minutes here,
 * over its fifteen.
 */
const rounds = 1;

if (only === undefined || only === "framing") {
  const records = quick ? 20_000 : 500_000;
  process.stderr.write(`framing: ${records.toLocaleString("en")} records…\n`);
  const framing = await runFramingBench(records, rounds);
  sections.push("## Framing (protocol/)", "", framing.markdown, "");
  process.stderr.write("serializers…\n");
  sections.push(
    "## Writing a tap's records (protocol/sdk/tap/)",
    "",
    `From ${records.toLocaleString("en")} rows of converted values (the bench record as tap-csv reads it) to each record's JSON text; best of ${rounds} rounds, the contenders taking turns.`,
    "",
    await runSerializerBench(records, rounds),
    "",
  );
  const csvRows = quick ? 20_000 : 500_000;
  process.stderr.write(`CSV parsers: ${csvRows.toLocaleString("en")} rows…\n`);
  const csvFile = join(tmpdir(), `agora-bench-${process.pid}.csv`);
  await writeBenchCsv(csvFile, csvRows);
  const csvText = readFileSync(csvFile, "utf8");
  rmSync(csvFile);
  sections.push(
    "## CSV parsers (for tap-csv)",
    "",
    `The bench CSV (${csvRows.toLocaleString("en")} rows and a header, ${(Buffer.byteLength(csvText) / 1e6).toFixed(1)} MB, quoted JSON cells in every row) in memory, in 64 KiB pieces; best of ${rounds} rounds, the contenders taking turns.`,
    "",
    await runCsvParserBench(csvText, csvRows + 1, rounds),
    "",
  );
  suiteDone("framing");
}
if (only === undefined || only === "parquet") {
  const rows = quick ? 20_000 : 1_000_000;
  process.stderr.write(`parquet readers: ${rows.toLocaleString("en")} rows…\n`);
  sections.push("## Parquet readers (for tap-parquet)", "", await runParquetReaderBench(join(tmpdir(), `agora-bench-${process.pid}.parquet`), rows), "");
  suiteDone("parquet");
}
// Every suite reads the same generated inputs, written once per size.
const inputs = new BenchInputs(`${work}-inputs`);
process.on("exit", () => inputs.remove());
let connectors: ConnectorResults | undefined;
let runnerFigures: readonly RunnerFigures[] | undefined;
if (only === undefined || only === "connectors") {
  const sizes = quick ? [10_000, 40_000] : [1_000_000, 5_000_000];
  // target-postgres writes to a throwaway server of its own (Debian's postgresql, fsync off: what is measured is the target).
  const postgres = await startThrowawayPostgres(root);
  connectors = await runConnectorBench(root, sizes, work, inputs, postgres.url === undefined ? { reason: postgres.reason } : { url: postgres.url }).finally(
    () => {
      if (postgres.url !== undefined) postgres.stop();
    },
  );
  sections.push("## Connectors alone (each a process; taps read a file, targets read a message file on stdin)", "", connectors.markdown, "");
  suiteDone("connectors");
}

let peers: PeerResults | undefined;
if (only === undefined || only === "peers") {
  const rows = quick ? 10_000 : 100_000;
  process.stderr.write(`peers: ${rows.toLocaleString("en")} rows…\n`);
  const csv = join(tmpdir(), `agora-bench-peers-${process.pid}.csv`);
  const messages = join(tmpdir(), `agora-bench-peers-${process.pid}.jsonl`);
  await writeBenchCsv(csv, rows);
  await writeBenchMessages(messages, rows);
  peers = await runPeerBench(root, csv, messages, rows, tmpdir(), quick ? 1 : 3).finally(() => {
    rmSync(csv, { force: true });
    rmSync(messages, { force: true });
  });
  sections.push("## Against a real Singer peer (Python)", "", peers.markdown, "");
  suiteDone("peers");
}

let against: AgainstFigures | { readonly reason: string } | undefined;
if ((only === undefined || only === "against") && againstRef !== undefined) {
  const rows = quick ? 20_000 : 500_000;
  against = await runAgainstBench(root, againstRef, rows, quick ? 1 : 5, `${work}-against`, inputs, quick ? 3_000 : 120_000);
  sections.push(`## Hot paths against ${againstRef}`, "", "markdown" in against ? against.markdown : `Not measured: ${against.reason}.`, "");
  suiteDone("against");
}

let startUp: StartUpFigures | undefined;
if (only === undefined || only === "runner") {
  const sizes = quick ? [10_000, 40_000] : [100_000, 1_000_000, 5_000_000];
  const runner = await runRunnerBench(root, sizes, `${work}-runner`, inputs, quick ? 40_000 : 1_000_000, (rows) => runOf(connectors, "target-jsonl", rows));
  runnerFigures = runner.figures;
  sections.push("## The runner's cost (agora run, validation on)", "", runner.markdown, "");
  process.stderr.write("runner: start-up…\n");
  startUp = await runStartUpBench(root, `${work}-start-up`, quick ? 3 : 7);
  sections.push("### Start-up", "", startUp.markdown, "");
  suiteDone("runner");
}
let lanes: LaneResults | undefined;
if (only === undefined || only === "lanes") {
  const [rows, streams] = quick ? [20_000, 2] : [1_000_000, 10];
  lanes = await runLaneBench(root, rows, streams, `${work}-lanes`, inputs);
  sections.push("## The Arrow lane against the RECORD lane (issue 15)", "", lanes.markdown, "");
  suiteDone("lanes");
}
let streamScaling: readonly StreamScaling[] | undefined;
if (only === undefined || only === "streams") {
  const [records, counts, wide] = quick ? [10_000, [10, 100], 500] : [200_000, [100, 1_000, 2_000, 10_000], 10_000];
  const streams = await runStreamsBench(root, records, counts, wide, `${work}-streams`);
  streamScaling = streams.scaling;
  sections.push("## Many streams (issue 36)", "", streams.markdown, "");
  suiteDone("streams");
}
if (only === undefined || only === "console") {
  const figures = await runConsoleBench(root, quick ? 1_000 : 10_000, `${work}-console`);
  sections.push("## The web console (issue 34)", "", figures.markdown, "");
  if (figures.runsPageMs !== undefined && !quick)
    goals.push(`- console: the runs page with 10,000 runs on screen in ${Math.round(figures.runsPageMs)} ms (goal: under 1,000 ms)`, "");
  suiteDone("console");
}
if ([connectors, runnerFigures, startUp, peers, lanes, streamScaling, against].some((figures) => figures !== undefined)) {
  goals.push(
    "## Goals of the performance round",
    "",
    goalsTable({ connectors, runner: runnerFigures, startUp, peers, lanes, streams: streamScaling, against }),
    "",
  );
}

const report = [...header(), ...goals, ...sections].join("\n");
process.stdout.write(`${report}\n`);
if (!quick) {
  // One suite alone does not replace the whole run's results.
  const path = join(root, "bench", only === undefined ? "RESULTS.md" : `RESULTS-${only}.md`);
  writeFileSync(path, report);
  process.stderr.write(`written to ${path}\n`);
}
