import { Command, Option } from "commander";
import { DEAD_LETTER_STAGES, stringifyJson } from "../../../protocol/index.js";
import { deadLetterOf, latestError, repairableRecord, replayLine, replayPipelineDeadLetters } from "../../dlq/dead-letter-actions.js";
import { applyEdits, describeEdits, parseSet, parseUnset } from "../../dlq/edit-record.js";
import { editInEditor } from "../../dlq/edit-in-editor.js";
import type { ReplayMode } from "../../dlq/replay.js";
import { StopRequests } from "../../pipeline/stop-requests.js";
import type { DeadLetterStage, DeadLetterStatus } from "../../state/types.js";
import { loggerFor, maybeProject, projectStore, writeOut, type CommonOptions } from "../cli-context.js";

const STAGES = [...DEAD_LETTER_STAGES];

interface FilterOptions {
  readonly stage?: DeadLetterStage;
  readonly status: DeadLetterStatus | "all";
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function shorten(text: string, length: number): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

export function dlqCommand(common: () => CommonOptions, done: (code: number) => Promise<void>): Command {
  return new Command("dlq")
    .description("the dead-letter queue: records rejected by validation, middleware or a target")
    .addCommand(listCommand(common))
    .addCommand(showCommand(common))
    .addCommand(editCommand(common))
    .addCommand(replayCommand(common, done))
    .addCommand(purgeCommand(common));
}

/** `agora dlq list`: dead letters, a line each (or --json). */
function listCommand(common: () => CommonOptions): Command {
  return new Command("list")
    .argument("<pipeline>")
    .addOption(new Option("--stage <stage>", "only this stage").choices(STAGES))
    .addOption(new Option("--status <status>", "pending (not yet replayed), done, or all").choices(["pending", "done", "all"]).default("pending"))
    .option("--limit <n>", "at most this many", "100")
    .description("list dead letters")
    .action(async (pipeline: string, options: FilterOptions & { limit: string }) => {
      const shared = common();
      const store = projectStore(shared);
      try {
        const entries = await store.listDeadLetters({
          pipeline,
          stage: options.stage,
          status: options.status === "all" ? undefined : options.status,
          limit: Number(options.limit) || 100,
        });
        if (shared.json === true) {
          await writeOut(`${stringifyJson(entries)}\n`);
          return;
        }
        if (entries.length === 0) {
          process.stderr.write(`no ${options.status === "all" ? "" : `${options.status} `}dead letters for ${pipeline}\n`);
          return;
        }
        // The latest error: a replay's when one failed again (the first stays in `dlq show` and --json as errorMessage).
        const lines = entries.map((entry) =>
          [entry.id, entry.stage, entry.stream, entry.errorCode, shorten(latestError(entry), 70), entry.attempts, entry.status, entry.createdAt].join("\t"),
        );
        await writeOut(`id\tstage\tstream\tcode\terror\tattempts\tstatus\tcreated\n${lines.join("\n")}\n`);
      } finally {
        await store.close();
      }
    });
}

/** `agora dlq show`: one dead letter in full. */
function showCommand(common: () => CommonOptions): Command {
  return new Command("show")
    .argument("<pipeline>")
    .argument("<id>", "the entry's id (from dlq list)")
    .description("print one dead letter in full: records, error, checkpoint")
    .action(async (pipeline: string, id: string) => {
      const store = projectStore(common());
      try {
        const entry = await deadLetterOf(store, pipeline, id);
        await writeOut(`${stringifyJson(entry, 2)}\n`);
      } finally {
        await store.close();
      }
    });
}

/** `agora dlq edit`: a pending dead letter's record changed before its replay. */
function editCommand(common: () => CommonOptions): Command {
  return new Command("edit")
    .argument("<pipeline>")
    .argument("<id>", "the entry's id (from dlq list)")
    .option("--set <field=value>", "set a field (dots reach inside objects; the value is JSON when it reads as JSON, else text); repeatable", collect, [])
    .option("--unset <field>", "remove a field; repeatable", collect, [])
    .description(
      "change a pending dead letter's record before replaying it: fields with --set/--unset, or the whole record in $EDITOR; the record as it arrived stays in `raw`",
    )
    .action(async (pipeline: string, id: string, options: { set: string[]; unset: string[] }) => {
      const store = projectStore(common());
      try {
        const entry = await deadLetterOf(store, pipeline, id);
        const record = repairableRecord(entry);
        const edits = [...options.set.map(parseSet), ...options.unset.map(parseUnset)];
        const edited = edits.length > 0 ? applyEdits(record, edits) : editInEditor(record, `${pipeline}-dead-letter-${id}`);
        if (edited === undefined) {
          process.stderr.write(`dead letter ${id} unchanged\n`);
          return;
        }
        await store.editDeadLetter(entry.id, edited, edits.length > 0 ? describeEdits(edits) : "edited in the editor");
        process.stderr.write(`dead letter ${id} edited; replay it with \`agora dlq replay ${pipeline} --ids ${id}\`\n`);
      } finally {
        await store.close();
      }
    });
}

/** `agora dlq replay`: pending dead letters through the pipeline again. */
function replayCommand(common: () => CommonOptions, done: (code: number) => Promise<void>): Command {
  return new Command("replay")
    .argument("<pipeline>")
    .addOption(new Option("--stage <stage>", "only entries of this stage").choices(STAGES))
    .addOption(
      new Option("--mode <mode>", "full: through the middleware, validation of what it made, and the targets again; sink: straight to the targets")
        .choices(["full", "sink"])
        .default("full"),
    )
    .option("--ids <ids>", "only these entries (comma-separated)")
    .option(
      "--target <command>",
      "an ad hoc pipeline's target command line, when it held a secret the store does not keep (repeat for each target)",
      collect,
      [],
    )
    .description("send pending dead letters through the pipeline again; those that succeed are marked done")
    .action(async (pipeline: string, options: { stage?: DeadLetterStage; mode: ReplayMode; ids?: string; target: string[] }) => {
      const shared = common();
      const project = maybeProject(shared);
      const store = projectStore(shared, project);
      try {
        const ids = options.ids
          ?.split(",")
          .map((id) => Number(id.trim()))
          .filter((id) => Number.isInteger(id));
        const { requests, release } = StopRequests.fromProcessSignals();
        let summary;
        try {
          summary = await replayPipelineDeadLetters(
            pipeline,
            { mode: options.mode, stage: options.stage, ids, targets: options.target },
            { store, project, logger: loggerFor(shared), stop: requests },
          );
        } finally {
          release();
        }
        if (shared.json === true) await writeOut(`${JSON.stringify(summary)}\n`);
        process.stderr.write(`${replayLine(pipeline, options.mode, summary)}\n`);
        // Why each failed again, so a fix can be aimed (the first few; `dlq list` shows each entry's latest).
        for (const { id, error } of summary.failures.slice(0, 5)) process.stderr.write(`  dead letter ${id}: ${error}\n`);
        if (summary.failures.length > 5) process.stderr.write(`  and ${summary.failures.length - 5} more (agora dlq list ${pipeline})\n`);
        await done(summary.failed > 0 || summary.unconfirmed > 0 || summary.failure !== undefined ? 1 : 0);
      } finally {
        await store.close();
      }
    });
}

/** `agora dlq purge`: dead letters deleted. */
function purgeCommand(common: () => CommonOptions): Command {
  return new Command("purge")
    .argument("<pipeline>")
    .addOption(new Option("--stage <stage>", "only this stage").choices(STAGES))
    .addOption(new Option("--status <status>", "done (the default: replayed ones), pending, or all").choices(["pending", "done", "all"]).default("done"))
    .description("delete dead letters")
    .action(async (pipeline: string, options: FilterOptions) => {
      const store = projectStore(common());
      try {
        const removed = await store.purgeDeadLetters({ pipeline, stage: options.stage, status: options.status === "all" ? undefined : options.status });
        process.stderr.write(`deleted ${removed} dead letter(s) of ${pipeline}\n`);
      } finally {
        await store.close();
      }
    });
}
