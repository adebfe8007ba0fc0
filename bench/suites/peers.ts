import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatRate } from "../measure.js";
import { measureProcess, type ProcessRun } from "../process-stats.js";

/** Ours against a real Singer peer on the same file: what the goals table reads. */
export interface PeerResult {
  readonly rows: number;
  readonly ours: ProcessRun;
  readonly theirs: ProcessRun;
}

export interface PeerResults {
  readonly markdown: string;
  readonly tapCsv: PeerResult | undefined;
}

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/**
 * tap-csv against robertjmoore's tap-csv (singer-python; every value a
 * string, no inference) on the bench CSV, best of `rounds` each, taking
 * turns. The peer is not part of this repository: AGORA_BENCH_PEERS names
 * a folder holding checkouts of singer-python and of that tap-csv (with
 * Debian's python3-jsonschema, -simplejson, -dateutil, -backoff, -tz and
 * -ciso8601 installed); without it the table says so.
 */
export async function runPeerBench(root: string, csv: string, rows: number, work: string, rounds: number): Promise<PeerResults> {
  const peers = process.env["AGORA_BENCH_PEERS"];
  if (peers === undefined || !existsSync(join(peers, "tap-csv", "tap_csv")) || !existsSync(join(peers, "singer-python", "singer"))) {
    return {
      markdown:
        "Not measured: set AGORA_BENCH_PEERS to a folder with checkouts of singer-io/singer-python and robertjmoore/tap-csv (docs/performance.md says how).",
      tapCsv: undefined,
    };
  }
  const ourConfig = join(work, "peer-ours.json");
  const theirConfig = join(work, "peer-theirs.json");
  writeFileSync(ourConfig, JSON.stringify({ files: [{ path: csv, stream: "users", key_properties: ["id"] }] }));
  writeFileSync(theirConfig, JSON.stringify({ files: [{ entity: "users", file: csv, keys: ["id"] }] }));
  const env = { PYTHONPATH: `${join(peers, "singer-python")}:${join(peers, "tap-csv")}` };
  let ours: ProcessRun | undefined;
  let theirs: ProcessRun | undefined;
  for (let round = 0; round < rounds; round += 1) {
    const mine = await measureProcess(join(root, "dist", "connectors", "tap-csv", "bin.js"), ["--config", ourConfig]);
    const peer = await measureProcess(PYTHON, ["-c", "import tap_csv; tap_csv.main()", "--config", theirConfig], undefined, undefined, true, env);
    if (mine.exitCode !== 0) throw new Error(`tap-csv failed: ${mine.stderr}`);
    if (peer.exitCode !== 0) throw new Error(`robertjmoore's tap-csv failed: ${peer.stderr}`);
    if (ours === undefined || mine.seconds < ours.seconds) ours = mine;
    if (theirs === undefined || peer.seconds < theirs.seconds) theirs = peer;
  }
  const result = { rows, ours: ours as ProcessRun, theirs: theirs as ProcessRun };
  const line = (name: string, run: ProcessRun): string =>
    `| ${name} | ${run.seconds.toFixed(2)} | ${formatRate(rows / run.seconds)} | ${run.cpuSeconds.toFixed(2)} | ${(run.peakRssBytes / 2 ** 20).toFixed(0)} |`;
  return {
    markdown: [
      `The bench CSV, ${rows.toLocaleString("en")} rows, each tap alone as a process (start-up included), best of ${rounds}, taking turns. Ours types every value (integers, numbers, booleans, dates, JSON); the peer writes every value as a string.`,
      "",
      "| tap | seconds | rows/s | CPU s | peak RSS MB |",
      "| --- | ---: | ---: | ---: | ---: |",
      line("tap-csv (ours)", result.ours),
      line("robertjmoore's tap-csv (singer-python, Python 3)", result.theirs),
      "",
      `Ours is ${(result.theirs.seconds / result.ours.seconds).toFixed(2)}× as fast.`,
    ].join("\n"),
    tapCsv: result,
  };
}
