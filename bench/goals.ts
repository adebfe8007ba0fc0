import type { ConnectorResults } from "./suites/connectors.js";
import type { RunnerFigures } from "./suites/runner.js";
import { formatRate } from "./measure.js";
import type { PeerResults } from "./suites/peers.js";

/** One goal of the performance round (issue 16) against what this run measured. */
interface Goal {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

const MIB = 2 ** 20;

function connectorGoals(connectors: ConnectorResults): Goal[] {
  const rowsOf = (connector: string) => connectors.rows.filter((row) => row.connector === connector);
  const rate = (connector: string, floor: number): Goal => {
    const rates = rowsOf(connector).map((row) => row.rows / row.run.seconds);
    return { goal: `${connector} ≥ ${formatRate(floor)} rows/s`, measured: rates.map(formatRate).join(" / "), met: rates.length > 0 && rates.every((value) => value >= floor) };
  };
  const memory: Goal[] = [...new Set(connectors.rows.map((row) => row.connector))].map((connector) => {
    const peaks = rowsOf(connector).map((row) => row.run.peakRssBytes);
    const growth = (peaks.at(-1) ?? Number.NaN) / (peaks[0] ?? Number.NaN);
    return {
      goal: `${connector}: peak RSS ≤ 64 MiB, flat (≤ 1.2×) from the smallest size to the largest`,
      measured: `${peaks.map((peak) => (peak / MIB).toFixed(0)).join(" / ")} MiB, ${growth.toFixed(2)}×`,
      met: peaks.every((peak) => peak <= 64 * MIB) && growth <= 1.2,
    };
  });
  // target-postgres's goal is issue 18's; it is measured only where a server could start.
  const postgres = rowsOf("target-postgres").length > 0 ? [rate("target-postgres", 100_000)] : [];
  return [rate("tap-csv", 250_000), rate("tap-jsonl", 400_000), rate("target-csv", 200_000), rate("target-sqlite", 300_000), rate("target-jsonl", 300_000), ...postgres, ...memory];
}

function runnerGoals(runner: readonly RunnerFigures[]): Goal[] {
  const large = runner.filter((figures) => figures.rows >= 1_000_000);
  const sqlite = runner.flatMap((figures) => figures.pipelines.filter((pipeline) => pipeline.target === "target-sqlite").map((pipeline) => ({ rows: figures.rows, pipeline })));
  const atMillion = sqlite.find((entry) => entry.rows === 1_000_000);
  return [
    {
      goal: "runner CPU per message ≤ 1/3 of target-jsonl's (same file, validation on)",
      measured: large.map((figures) => `${(figures.againstTarget.runnerCpuPerMessage / figures.againstTarget.targetCpuPerMessage).toFixed(2)}`).join(" / "),
      met: large.length > 0 && large.every((figures) => figures.againstTarget.runnerCpuPerMessage * 3 <= figures.againstTarget.targetCpuPerMessage),
    },
    {
      goal: "agora run, cat → target-jsonl ≥ 0.9× target-jsonl alone",
      measured: large.map((figures) => `${(figures.againstTarget.throughAgoraPerSecond / figures.againstTarget.directPerSecond).toFixed(2)}×`).join(" / "),
      met: large.length > 0 && large.every((figures) => figures.againstTarget.throughAgoraPerSecond >= 0.9 * figures.againstTarget.directPerSecond),
    },
    {
      goal: "tap-csv → target-sqlite through agora run ≥ 150k rows/s at 1M rows",
      measured: atMillion === undefined ? "not measured" : formatRate(atMillion.pipeline.throughAgoraPerSecond),
      met: atMillion !== undefined && atMillion.pipeline.throughAgoraPerSecond >= 150_000,
    },
  ];
}

/** The goals table: each goal, what this run measured (at each size, smallest first), and whether it holds. */
function peerGoals(peers: PeerResults): Goal[] {
  const result = peers.tapCsv;
  const goal = `tap-csv ≥ 2× robertjmoore's tap-csv (Python) on ${(result?.rows ?? 100_000).toLocaleString("en")} rows, still typing values`;
  if (result === undefined) return [{ goal, measured: "not measured (no peer checkout: AGORA_BENCH_PEERS)", met: false }];
  const ratio = result.theirs.seconds / result.ours.seconds;
  return [{ goal, measured: `${ratio.toFixed(2)}× (${result.ours.seconds.toFixed(2)} s against ${result.theirs.seconds.toFixed(2)} s)`, met: ratio >= 2 }];
}

export function goalsTable(connectors: ConnectorResults | undefined, runner: readonly RunnerFigures[] | undefined, peers: PeerResults | undefined): string {
  const goals = [...(connectors === undefined ? [] : connectorGoals(connectors)), ...(runner === undefined ? [] : runnerGoals(runner)), ...(peers === undefined ? [] : peerGoals(peers))];
  return [
    "| goal | measured (each size) | met |",
    "| --- | --- | :---: |",
    ...goals.map((goal) => `| ${goal.goal} | ${goal.measured} | ${goal.met ? "yes" : "**no**"} |`),
    "",
    "Why a goal is not met, with the profiles, and what comes next: [docs/performance.md](../docs/performance.md).",
  ].join("\n");
}
