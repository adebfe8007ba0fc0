import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
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
  readonly targetJsonl: PeerResult | undefined;
}

const PYTHON = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

/**
 * tap-csv against robertjmoore's tap-csv (singer-python; every value a
 * string, no inference) on the bench CSV, and target-jsonl against
 * andyhuynh3's target-jsonl (singer-python; validates each record with
 * jsonschema) on the bench messages, best of `rounds` each, taking turns.
 * The peers are not part of this repository: AGORA_BENCH_PEERS names a
 * folder holding checkouts of singer-python, of that tap-csv and, for the
 * target, of that target-jsonl and of adjust-precision-for-schema (with
 * Debian's python3-jsonschema, -simplejson, -dateutil, -backoff, -tz and
 * -ciso8601 installed); without them the table says so.
 */
export async function runPeerBench(root: string, csv: string, messages: string, rows: number, work: string, rounds: number): Promise<PeerResults> {
  const peers = process.env["AGORA_BENCH_PEERS"];
  if (peers === undefined || !existsSync(join(peers, "tap-csv", "tap_csv")) || !existsSync(join(peers, "singer-python", "singer"))) {
    return {
      markdown:
        "Not measured: set AGORA_BENCH_PEERS to a folder with checkouts of singer-io/singer-python and robertjmoore/tap-csv (docs/performance.md says how).",
      tapCsv: undefined,
      targetJsonl: undefined,
    };
  }
  const ourConfig = join(work, "peer-ours.json");
  const theirConfig = join(work, "peer-theirs.json");
  writeFileSync(ourConfig, JSON.stringify({ files: [{ path: csv, stream: "users", key_properties: ["id"] }] }));
  writeFileSync(theirConfig, JSON.stringify({ files: [{ entity: "users", file: csv, keys: ["id"] }] }));
  const env = { PYTHONPATH: `${join(peers, "singer-python")}:${join(peers, "tap-csv")}` };
  let ours: ProcessRun | undefined;
  let theirs: ProcessRun | undefined;
  try {
    for (let round = 0; round < rounds; round += 1) {
      const mine = await measureProcess(join(root, "dist", "connectors", "tap-csv", "bin.js"), ["--config", ourConfig]);
      const peer = await measureProcess(PYTHON, ["-c", "import tap_csv; tap_csv.main()", "--config", theirConfig], undefined, undefined, true, env);
      if (mine.exitCode !== 0) throw new Error(`tap-csv failed: ${mine.stderr}`);
      if (peer.exitCode !== 0) throw new Error(`robertjmoore's tap-csv failed: ${peer.stderr}`);
      if (ours === undefined || mine.seconds < ours.seconds) ours = mine;
      if (theirs === undefined || peer.seconds < theirs.seconds) theirs = peer;
    }
  } finally {
    for (const file of [ourConfig, theirConfig]) rmSync(file, { force: true });
  }
  const result = { rows, ours: ours as ProcessRun, theirs: theirs as ProcessRun };
  const targetJsonl = await targetJsonlAgainstPeer(root, peers, messages, rows, work, rounds);
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
      "",
      ...(targetJsonl === undefined
        ? ["andyhuynh3's target-jsonl: not measured (AGORA_BENCH_PEERS holds no target-jsonl and adjust-precision-for-schema checkouts)."]
        : [
            `The bench messages, ${rows.toLocaleString("en")} records, each target alone as a process reading them on stdin, best of ${rounds}, taking turns; both validate each record against its schema.`,
            "",
            "| target | seconds | records/s | CPU s | peak RSS MB |",
            "| --- | ---: | ---: | ---: | ---: |",
            line("target-jsonl (ours)", targetJsonl.ours),
            line("andyhuynh3's target-jsonl (singer-python, Python 3)", targetJsonl.theirs),
            "",
            `Ours is ${(targetJsonl.theirs.seconds / targetJsonl.ours.seconds).toFixed(2)}× as fast.`,
          ]),
    ].join("\n"),
    tapCsv: result,
    targetJsonl,
  };
}

/** target-jsonl against andyhuynh3's on the same messages; undefined when its checkouts are not in `peers`. */
async function targetJsonlAgainstPeer(
  root: string,
  peers: string,
  messages: string,
  rows: number,
  work: string,
  rounds: number,
): Promise<PeerResult | undefined> {
  if (!existsSync(join(peers, "target-jsonl", "target_jsonl.py")) || !existsSync(join(peers, "adjust-precision-for-schema", "adjust_precision_for_schema"))) {
    return undefined;
  }
  const ourOut = join(work, "peer-target-ours");
  const theirOut = join(work, "peer-target-theirs");
  const ourConfig = join(work, "peer-target-ours.json");
  const theirConfig = join(work, "peer-target-theirs.json");
  writeFileSync(ourConfig, JSON.stringify({ destination_path: ourOut }));
  writeFileSync(theirConfig, JSON.stringify({ destination_path: theirOut }));
  const env = { PYTHONPATH: ["singer-python", "adjust-precision-for-schema", "target-jsonl"].map((folder) => join(peers, folder)).join(":") };
  let ours: ProcessRun | undefined;
  let theirs: ProcessRun | undefined;
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const folder of [ourOut, theirOut]) {
        rmSync(folder, { recursive: true, force: true });
        mkdirSync(folder);
      }
      const mine = await measureProcess(join(root, "dist", "connectors", "target-jsonl", "bin.js"), ["--config", ourConfig], messages);
      const peer = await measureProcess(PYTHON, ["-c", "import target_jsonl; target_jsonl.main()", "-c", theirConfig], messages, undefined, true, env);
      if (mine.exitCode !== 0) throw new Error(`target-jsonl failed: ${mine.stderr}`);
      if (peer.exitCode !== 0) throw new Error(`andyhuynh3's target-jsonl failed: ${peer.stderr.slice(-500)}`);
      if (ours === undefined || mine.seconds < ours.seconds) ours = mine;
      if (theirs === undefined || peer.seconds < theirs.seconds) theirs = peer;
    }
  } finally {
    for (const path of [ourOut, theirOut, ourConfig, theirConfig]) rmSync(path, { recursive: true, force: true });
  }
  return { rows, ours: ours as ProcessRun, theirs: theirs as ProcessRun };
}
