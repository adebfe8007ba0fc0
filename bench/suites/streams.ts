import { execFileSync } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { median } from "../measure.js";
import { measureProcess } from "../process-stats.js";

/** One target's runs at each stream count. */
export interface StreamScaling {
  readonly target: string;
  /** The median run's seconds at each stream count. */
  readonly seconds: Map<number, number>;
  /** At each stream count, the median over rounds (taken in turn) of a round's time there against its time at the fewest streams. */
  readonly ratios: Map<number, number>;
  /** At each stream count run in rounds, each round's ratio, in the order run: how far one round's figure is from another's. */
  readonly roundRatios: Map<number, readonly number[]>;
}

export interface StreamsResults {
  readonly markdown: string;
  readonly scaling: readonly StreamScaling[];
}

const TARGETS: ReadonlyArray<{ readonly name: string; readonly config: (dir: string) => Record<string, unknown> }> = [
  { name: "target-jsonl", config: (dir) => ({ destination_path: join(dir, "out") }) },
  { name: "target-csv", config: (dir) => ({ destination_path: join(dir, "out") }) },
  { name: "target-parquet", config: (dir) => ({ destination_path: join(dir, "out") }) },
  { name: "target-sqlite", config: (dir) => ({ database: join(dir, "out.db") }) },
];

/**
 * Stream counts up to this one are run in ROUNDS rounds per target, each
 * round running every such count in turn: one run's time moves by a
 * quarter here, and the goal is a ratio of two, so each round's ratio is
 * taken between runs made side by side, and the median kept. Five rounds,
 * not three: over three, one quick run at 100 streams moved the median by
 * a tenth (target-csv's 1.52× in the full run of 2026-12-07 08:13, where
 * its medians were 2.58 s against 1.91 s, a ratio of 1.35).
 */
const IN_ROUNDS_UP_TO = 2_000;
const ROUNDS = 5;

/** `records` records spread in turn over `streams` streams (a SCHEMA each first), a STATE every 10,000: the same data, cut into more streams. */
async function writeMessages(path: string, records: number, streams: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, "drain");
  };
  // Each stream a schema of its own (one column named after it), as a database tap's tables have: the runner and the target compile each.
  const schemaOf = (stream: number) => ({
    type: "object",
    properties: { id: { type: "integer" }, name: { type: "string" }, amount: { type: "number" }, [`note_${stream}`]: { type: ["null", "string"] } },
  });
  for (let stream = 0; stream < streams; stream += 1)
    await write(`${JSON.stringify({ type: "SCHEMA", stream: `s${stream}`, schema: schemaOf(stream), key_properties: ["id"] })}\n`);
  let chunk = "";
  for (let id = 0; id < records; id += 1) {
    chunk += `${JSON.stringify({ type: "RECORD", stream: `s${id % streams}`, record: { id, name: `name ${id}`, amount: id * 1.5 } })}\n`;
    if ((id + 1) % 10_000 === 0) chunk += `${JSON.stringify({ type: "STATE", value: { at: id + 1 } })}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  out.end();
  await once(out, "finish");
}

/** A tap whose --discover prints a catalog of `streams` streams (and a sync of nothing): for discovery, select and explain. */
function writeWideTap(dir: string, streams: number): string {
  const catalog = {
    streams: Array.from({ length: streams }, (_, index) => ({
      tap_stream_id: `table_${index}`,
      stream: `table_${index}`,
      schema: { type: "object", properties: { id: { type: "integer" }, name: { type: "string" }, updated_at: { type: "string", format: "date-time" } } },
      key_properties: ["id"],
      metadata: [{ breadcrumb: [], metadata: { "table-key-properties": ["id"], "selected-by-default": true } }],
    })),
  };
  writeFileSync(join(dir, "catalog.json"), JSON.stringify(catalog));
  const tap = join(dir, "wide-tap.sh");
  writeFileSync(tap, '#!/usr/bin/env bash\nfor arg in "$@"; do [ "$arg" = --discover ] && exec cat "$(dirname "$0")/catalog.json"; done\nexit 0\n', {
    mode: 0o755,
  });
  return tap;
}

/** One target's runs: every count up to IN_ROUNDS_UP_TO in each of ROUNDS rounds, in turn, then the larger counts once. */
async function scaleTarget(
  agora: string,
  target: (typeof TARGETS)[number],
  messages: ReadonlyMap<number, string>,
  counts: readonly number[],
  records: number,
  work: string,
): Promise<StreamScaling> {
  const fewest = counts[0] as number;
  const inRounds = counts.filter((count) => count <= IN_ROUNDS_UP_TO);
  const times = new Map<number, number[]>(counts.map((count) => [count, []]));
  const runOnce = async (streams: number, round: number): Promise<void> => {
    process.stderr.write(
      `streams: ${target.name}, ${records.toLocaleString("en")} records over ${streams.toLocaleString("en")} streams, round ${round + 1}…\n`,
    );
    const dir = join(work, `${target.name}-${streams}-${round}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "target.json"), JSON.stringify(target.config(dir)));
    // Every run starts with nothing left to write back: a target that fsyncs 2,000 files otherwise waits on the
    // data the suites before it (gigabytes) or the run before it left dirty (ext4 commits them with its journal).
    execFileSync("sync");
    const run = await measureProcess(
      agora,
      ["run", "--tap", `cat ${messages.get(streams)}`, "--target", `${target.name} --config target.json`],
      undefined,
      dir,
    );
    if (run.exitCode !== 0) throw new Error(`${target.name} over ${streams} streams failed: ${run.stderr.slice(-500)}`);
    times.get(streams)?.push(run.seconds);
    // Outputs stay until the suite ends: a target making 2,000 files just after 2,000 were deleted pays for the
    // deletion (this machine's ext4 skips inodes deleted in the last minute, scanning for others: a quarter of the run's CPU, measured).
  };
  for (let round = 0; round < ROUNDS; round += 1) for (const streams of inRounds) await runOnce(streams, round);
  for (const streams of counts.filter((count) => count > IN_ROUNDS_UP_TO)) await runOnce(streams, 0);
  const base = times.get(fewest) ?? [];
  const roundRatios = new Map(inRounds.map((count) => [count, (times.get(count) ?? []).map((seconds, round) => seconds / (base[round] as number))]));
  return {
    target: target.name,
    seconds: new Map(counts.map((count) => [count, median(times.get(count) ?? [])])),
    ratios: new Map(
      counts.map((count) => {
        const own = roundRatios.get(count);
        // A count run once is set against the median at the fewest streams.
        return [count, own === undefined ? (times.get(count)?.[0] ?? Number.NaN) / median(base) : median(own)];
      }),
    ),
    roundRatios,
  };
}

/**
 * Many streams: the same records over 100 to 10,000 streams through `agora
 * run` into each file target and target-sqlite (the time against 100
 * streams says what the stream count costs), and a tap with 10,000 streams
 * in discovery, `agora select` and `agora explain`.
 */
export async function runStreamsBench(root: string, records: number, counts: readonly number[], wideStreams: number, work: string): Promise<StreamsResults> {
  const agora = join(root, "dist", "runner", "cli", "bin.js");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const messages = new Map<number, string>();
  for (const streams of counts) {
    const path = join(work, `messages-${streams}.jsonl`);
    await writeMessages(path, records, streams);
    messages.set(streams, path);
  }
  const fewest = counts[0] as number;
  const scaling: StreamScaling[] = [];
  for (const target of TARGETS) scaling.push(await scaleTarget(agora, target, messages, counts, records, work));
  for (const path of messages.values()) rmSync(path, { force: true });
  const header = `| target | ${counts.map((count) => `${count.toLocaleString("en")} streams`).join(" | ")} |`;
  const rows = scaling.map(
    (entry) =>
      `| ${entry.target} | ${counts
        .map((count) => {
          const seconds = entry.seconds.get(count) ?? Number.NaN;
          return count === fewest ? `${seconds.toFixed(2)} s` : `${seconds.toFixed(2)} s (${(entry.ratios.get(count) ?? Number.NaN).toFixed(2)}×)`;
        })
        .join(" | ")} |`,
  );
  // A wide tap: discovery (cached after), the selection table, the plan.
  const wide = join(work, "wide");
  mkdirSync(wide, { recursive: true });
  const tap = writeWideTap(wide, wideStreams);
  writeFileSync(join(wide, "pipelines.toml"), `[pipelines.wide]\ntap = "${tap}"\ntarget = "target-jsonl"\nselect = ["table_1*.*", "!table_1*.name"]\n`);
  const timed: string[] = [];
  for (const [what, args] of [
    ["agora discover wide --refresh", ["discover", "wide", "--refresh"]],
    ["agora select wide", ["select", "wide"]],
    ["agora explain wide", ["explain", "wide"]],
  ] as const) {
    const run = await measureProcess(agora, args, undefined, wide);
    if (run.exitCode !== 0) throw new Error(`${what} failed: ${run.stderr.slice(-500)}`);
    timed.push(`| \`${what}\` | ${run.seconds.toFixed(2)} s | ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB |`);
  }
  rmSync(work, { recursive: true, force: true });
  const markdown = [
    `${records.toLocaleString("en")} records (a STATE every 10,000) through \`agora run\` (tap: \`cat\` of a message file), the same records cut into more streams, each stream a schema of its own; up to ${IN_ROUNDS_UP_TO.toLocaleString("en")} streams the median of ${ROUNDS} rounds, each round running every count in turn after a \`sync\`; in parentheses, the median of the rounds' times against their time over ${fewest.toLocaleString("en")} streams.`,
    "",
    header,
    `| --- | ${counts.map(() => "---").join(" | ")} |`,
    ...rows,
    "",
    `A tap with ${wideStreams.toLocaleString("en")} streams (3 properties each), a pipeline selecting some by glob:`,
    "",
    "| command | wall | peak RSS |",
    "| --- | --- | --- |",
    ...timed,
  ].join("\n");
  return { markdown, scaling };
}
