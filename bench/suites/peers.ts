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
  let tapCsv: PeerResult;
  try {
    tapCsv = await bestOfTurns(rows, rounds, {
      ours: { name: "tap-csv", run: () => measureProcess(join(root, "dist", "connectors", "tap-csv", "bin.js"), ["--config", ourConfig]) },
      theirs: {
        name: "robertjmoore's tap-csv",
        run: () => measureProcess(PYTHON, ["-c", "import tap_csv; tap_csv.main()", "--config", theirConfig], undefined, undefined, true, env),
      },
    });
  } finally {
    for (const file of [ourConfig, theirConfig]) rmSync(file, { force: true });
  }
  const targetJsonl = await targetJsonlAgainstPeer(root, peers, messages, rows, work, rounds);
  return {
    markdown: [
      ...peerTable(
        `The bench CSV, ${rows.toLocaleString("en")} rows, each tap alone as a process (start-up included), best of ${rounds}, taking turns. Ours types every value (integers, numbers, booleans, dates, JSON); the peer writes every value as a string.`,
        ["tap", "rows/s"],
        ["tap-csv (ours)", "robertjmoore's tap-csv (singer-python, Python 3)"],
        tapCsv,
      ),
      "",
      ...(targetJsonl === undefined
        ? ["andyhuynh3's target-jsonl: not measured (AGORA_BENCH_PEERS holds no target-jsonl and adjust-precision-for-schema checkouts)."]
        : peerTable(
            `The bench messages, ${rows.toLocaleString("en")} records, each target alone as a process reading them on stdin, best of ${rounds}, taking turns; both validate each record against its schema.`,
            ["target", "records/s"],
            ["target-jsonl (ours)", "andyhuynh3's target-jsonl (singer-python, Python 3)"],
            targetJsonl,
          )),
    ].join("\n"),
    tapCsv,
    targetJsonl,
  };
}

/** One side of a comparison: its name in an error, and one measured run of it. */
interface Side {
  readonly name: string;
  readonly run: () => Promise<ProcessRun>;
}

/** The quickest of `rounds` runs of each side, taking turns; a run that fails stops the bench with its stderr. */
async function bestOfTurns(rows: number, rounds: number, sides: { readonly ours: Side; readonly theirs: Side }): Promise<PeerResult> {
  const best: { ours?: ProcessRun; theirs?: ProcessRun } = {};
  for (let round = 0; round < rounds; round += 1) {
    for (const side of ["ours", "theirs"] as const) {
      const run = await sides[side].run();
      if (run.exitCode !== 0) throw new Error(`${sides[side].name} failed: ${run.stderr.slice(-500)}`);
      const quickest = best[side];
      if (quickest === undefined || run.seconds < quickest.seconds) best[side] = run;
    }
  }
  return { rows, ours: best.ours as ProcessRun, theirs: best.theirs as ProcessRun };
}

/** A comparison's lines in RESULTS.md: what was run, a row per side, and the ratio. */
function peerTable(intro: string, [what, rate]: readonly [string, string], [ourName, theirName]: readonly [string, string], result: PeerResult): string[] {
  const line = (name: string, run: ProcessRun): string =>
    `| ${name} | ${run.seconds.toFixed(2)} | ${formatRate(result.rows / run.seconds)} | ${run.cpuSeconds.toFixed(2)} | ${(run.peakRssBytes / 2 ** 20).toFixed(0)} |`;
  return [
    intro,
    "",
    `| ${what} | seconds | ${rate} | CPU s | peak RSS MB |`,
    "| --- | ---: | ---: | ---: | ---: |",
    line(ourName, result.ours),
    line(theirName, result.theirs),
    "",
    `Ours is ${(result.theirs.seconds / result.ours.seconds).toFixed(2)}× as fast.`,
  ];
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
  /** Each run writes into an empty folder of its own. */
  const intoEmpty = (folder: string, run: () => Promise<ProcessRun>) => (): Promise<ProcessRun> => {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    return run();
  };
  try {
    return await bestOfTurns(rows, rounds, {
      ours: {
        name: "target-jsonl",
        run: intoEmpty(ourOut, () => measureProcess(join(root, "dist", "connectors", "target-jsonl", "bin.js"), ["--config", ourConfig], messages)),
      },
      theirs: {
        name: "andyhuynh3's target-jsonl",
        run: intoEmpty(theirOut, () =>
          measureProcess(PYTHON, ["-c", "import target_jsonl; target_jsonl.main()", "-c", theirConfig], messages, undefined, true, env),
        ),
      },
    });
  } finally {
    for (const path of [ourOut, theirOut, ourConfig, theirConfig]) rmSync(path, { recursive: true, force: true });
  }
}
