import { Command } from "commander";
import { projectStore, writeOut, type CommonOptions } from "../cli-context.js";
import { count, STREAMS_SHOWN, streamCounts, targetsPart } from "../../pipeline/run-summary.js";
import { stringifyJson } from "../../../protocol/index.js";

export function runsCommand(common: () => CommonOptions): Command {
  const runs = new Command("runs").description("the run history");
  runs
    .command("list")
    .argument("[pipeline]", "only this pipeline's runs")
    .option("--limit <n>", "how many, newest first", "20")
    .option("--streams", "name every stream of each run (by default the 10 with the most records, and how many more)")
    .description("list runs: id, pipeline, start, end, status, records per stream, DLQ count, error")
    .action(async (pipeline: string | undefined, options: { limit: string; streams?: boolean }) => {
      const shared = common();
      const store = projectStore(shared);
      try {
        const list = await store.listRuns(pipeline, Math.max(1, Number(options.limit) || 20));
        if (shared.json === true) {
          await writeOut(`${stringifyJson(list)}\n`);
          return;
        }
        if (list.length === 0) {
          process.stderr.write("no runs yet\n");
          return;
        }
        const lines = list.map((run) => {
          // A source that said a stream did not complete (an Airbyte source's STREAM_STATUS) is shown so.
          const perStream = streamCounts(
            run.progress,
            (progress) => progress.read,
            (stream, progress) =>
              `${stream} ${count(progress.read)}→${count(progress.written)}${progress.sourceStatus === undefined || progress.sourceStatus === "COMPLETE" ? "" : ` (${progress.sourceStatus})`}`,
            options.streams === true ? undefined : STREAMS_SHOWN,
          );
          // With several targets, what each wrote (the per-stream counts are what all of them confirmed).
          const streams = (run.targets?.length ?? 0) > 1 ? `${perStream}; ${targetsPart(run.targets ?? [])}` : perStream;
          return [run.id, run.pipeline, run.startedAt, run.endedAt ?? "-", run.status, streams || "-", String(run.deadLettered), run.error ?? ""].join("\t");
        });
        await writeOut(`${["id", "pipeline", "started", "ended", "status", "read→written", "dlq", "error"].join("\t")}\n${lines.join("\n")}\n`);
      } finally {
        await store.close();
      }
    });
  return runs;
}
