import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { measureProcess } from "../process-stats.js";

/** One target's runs at each stream count, and its time at the most streams against the fewest. */
export interface StreamScaling {
  readonly target: string;
  readonly seconds: Map<number, number>;
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

/** Stream counts up to this one are run twice per target, the quicker run kept. */
const BEST_OF_TWO_UP_TO = 2_000;

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
  const scaling: StreamScaling[] = TARGETS.map((target) => ({ target: target.name, seconds: new Map<number, number>() }));
  for (const streams of counts) {
    const messages = join(work, `messages-${streams}.jsonl`);
    await writeMessages(messages, records, streams);
    // The best of two runs where a run takes seconds: one run's time moves by a quarter here, and the goal is a ratio of two.
    const rounds = streams <= BEST_OF_TWO_UP_TO ? 2 : 1;
    for (const [index, target] of TARGETS.entries()) {
      process.stderr.write(`streams: ${target.name}, ${records.toLocaleString("en")} records over ${streams.toLocaleString("en")} streams…\n`);
      for (let round = 0; round < rounds; round += 1) {
        const dir = join(work, `${target.name}-${streams}-${round}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "target.json"), JSON.stringify(target.config(dir)));
        const run = await measureProcess(agora, ["run", "--tap", `cat ${messages}`, "--target", `${target.name} --config target.json`], undefined, dir);
        if (run.exitCode !== 0) throw new Error(`${target.name} over ${streams} streams failed: ${run.stderr.slice(-500)}`);
        const best = scaling[index]?.seconds.get(streams);
        if (best === undefined || run.seconds < best) scaling[index]?.seconds.set(streams, run.seconds);
        // Outputs stay until the suite ends: a target making 2,000 files just after 2,000 were deleted pays for the
        // deletion (this machine's ext4 skips inodes deleted in the last minute, scanning for others: a quarter of the run's CPU, measured).
      }
    }
    rmSync(messages, { force: true });
  }
  const fewest = counts[0] as number;
  const header = `| target | ${counts.map((count) => `${count.toLocaleString("en")} streams`).join(" | ")} |`;
  const rows = scaling.map(
    (entry) =>
      `| ${entry.target} | ${counts
        .map((count) => {
          const seconds = entry.seconds.get(count) ?? Number.NaN;
          return count === fewest
            ? `${seconds.toFixed(2)} s`
            : `${seconds.toFixed(2)} s (${(seconds / (entry.seconds.get(fewest) ?? Number.NaN)).toFixed(2)}×)`;
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
    `${records.toLocaleString("en")} records (a STATE every 10,000) through \`agora run\` (tap: \`cat\` of a message file), the same records cut into more streams, each stream a schema of its own; the best of two runs up to ${BEST_OF_TWO_UP_TO.toLocaleString("en")} streams; in parentheses, the time against ${fewest.toLocaleString("en")} streams.`,
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
