import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command } from "commander";
import { ConfigError, parseJson, stringifyJson, UsageError } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";
import { DEFAULT_STATE_STORE } from "../../project/load-project.js";
import type { StateStore } from "../../state/interfaces.js";
import { withoutStreamBookmark } from "../../state/clear-stream.js";
import { stateProblem } from "../../airbyte/airbyte-state.js";
import { maybeProject, projectStore, writeOut, type CommonOptions } from "../cli-context.js";

/** A state given by hand: a JSON object (a STATE message's value always is one), every number as written. */
function parseState(text: string, from: string): unknown {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw new ConfigError(RunnerCodes.STATE_NOT_JSON, `the state is not valid JSON (${(error as Error).message})`, {
      where: { file: from },
      hint: "Give a JSON object such as '{\"bookmarks\": {}}'.",
    });
  }
  // An Airbyte source's checkpoint is an array of its state messages.
  const airbyteProblem = Array.isArray(value)
    ? value.length === 0
      ? "it is empty"
      : value.map(stateProblem).find((problem) => problem !== undefined)
    : undefined;
  if (typeof value !== "object" || value === null || (Array.isArray(value) && airbyteProblem !== undefined)) {
    throw new ConfigError(
      RunnerCodes.STATE_NOT_OBJECT,
      `the state must be a JSON object, as a STATE message's value is; got ${Array.isArray(value) ? `an array, which is no Airbyte state either (${airbyteProblem})` : value === null ? "null" : `a ${typeof value}`}`,
      {
        where: { file: from },
        hint: "Give a JSON object such as '{\"bookmarks\": {}}', or for an Airbyte source an array of its state messages (agora state show prints the current one).",
      },
    );
  }
  return value;
}

/**
 * The state store, for a command about `pipeline`, once the pipeline is
 * known: one of the project's, or one with a checkpoint or runs in the store
 * (an ad hoc pipeline). Refused otherwise, naming the project's pipelines; a
 * folder with no project and no store is not given one.
 */
async function storeForKnownPipeline(options: CommonOptions, pipeline: string): Promise<StateStore> {
  const project = maybeProject(options);
  if (project?.pipelines[pipeline] !== undefined) return projectStore(options, project);
  const explicit = options.stateStore ?? process.env["AGORA_STATE_STORE"];
  if (project === undefined && explicit === undefined && !existsSync(resolve(DEFAULT_STATE_STORE))) {
    throw new UsageError(RunnerCodes.PIPELINE_NOT_FOUND, `no pipeline "${pipeline}" here: no pipelines.toml and no state store (${DEFAULT_STATE_STORE})`, {
      hint: "Run it in the project's folder, or pass --project FILE or --state-store LOCATION.",
    });
  }
  const store = projectStore(options, project);
  if ((await store.getCheckpoint(pipeline)) !== undefined || (await store.listRuns(pipeline, 1)).length > 0) return store;
  await store.close();
  const names = project === undefined ? [] : Object.keys(project.pipelines);
  throw new UsageError(
    RunnerCodes.PIPELINE_NOT_FOUND,
    `no pipeline "${pipeline}"${project === undefined ? "" : ` in ${project.file}`}, and none by that name has a checkpoint or runs in the state store`,
    {
      hint: names.length === 0 ? "Check the name (agora runs list shows the pipelines that have run)." : `Pipelines: ${names.join(", ")}.`,
    },
  );
}

export function stateCommand(common: () => CommonOptions): Command {
  const state = new Command("state").description("list, show, set or clear pipelines' saved checkpoints");
  state
    .command("list")
    .description("every pipeline that has a checkpoint: when it was saved, and by which run")
    .action(async () => {
      const options = common();
      const store = projectStore(options);
      try {
        const saved = await store.listCheckpoints();
        if (options.json === true) {
          await writeOut(`${stringifyJson(saved.map(({ pipeline, updatedAt, runId }) => ({ pipeline, updatedAt, runId: runId ?? null })))}\n`);
          return;
        }
        if (saved.length === 0) {
          process.stderr.write("no pipeline has a checkpoint yet\n");
          return;
        }
        const lines = saved.map((checkpoint) => [checkpoint.pipeline, checkpoint.updatedAt, checkpoint.runId ?? "(set by hand)"].join("\t"));
        await writeOut(`pipeline\tsaved\tby run\n${lines.join("\n")}\n`);
      } finally {
        await store.close();
      }
    });
  state
    .command("show")
    .argument("<pipeline>")
    .description("print the checkpoint the next run resumes from")
    .action(async (pipeline: string) => {
      const options = common();
      const store = await storeForKnownPipeline(options, pipeline);
      try {
        const saved = await store.getCheckpoint(pipeline);
        if (saved === undefined) {
          process.stderr.write(`pipeline ${pipeline} has no checkpoint: its next run starts from the beginning\n`);
          if (options.json === true) await writeOut("null\n");
          return;
        }
        await writeOut(options.json === true ? `${stringifyJson(saved)}\n` : `${stringifyJson(saved.state, 2)}\n`);
        if (options.json !== true) process.stderr.write(`saved ${saved.updatedAt}${saved.runId === undefined ? " (set by hand)" : ` by run ${saved.runId}`}\n`);
      } finally {
        await store.close();
      }
    });
  state
    .command("set")
    .argument("<pipeline>")
    .argument("[json]", "the state value (or use --file)")
    .option("--file <file>", "read the state value from a file")
    .description("replace the checkpoint (the next run resumes from it)")
    .action(async (pipeline: string, json: string | undefined, options: { file?: string }) => {
      if ((json === undefined) === (options.file === undefined))
        throw new UsageError(RunnerCodes.USAGE, "give the state as an argument or with --file", { hint: `agora state set ${pipeline} '{"bookmarks": {}}'` });
      const value = options.file === undefined ? parseState(json as string, "the argument") : parseState(readFileSync(options.file, "utf8"), options.file);
      const store = await storeForKnownPipeline(common(), pipeline);
      try {
        await store.setCheckpoint(pipeline, value);
      } finally {
        await store.close();
      }
      process.stderr.write(`checkpoint of ${pipeline} set\n`);
    });
  state
    .command("clear")
    .argument("<pipeline>")
    .option("--stream <name>", "only this stream's bookmark: it alone starts from the beginning next run")
    .description("forget the checkpoint (the next run starts from the beginning), or one stream's bookmark in it")
    .action(async (pipeline: string, options: { stream?: string }) => {
      const store = await storeForKnownPipeline(common(), pipeline);
      try {
        if (options.stream === undefined) {
          process.stderr.write((await store.clearCheckpoint(pipeline)) ? `checkpoint of ${pipeline} cleared\n` : `pipeline ${pipeline} had no checkpoint\n`);
          return;
        }
        const saved = await store.getCheckpoint(pipeline);
        if (saved === undefined)
          throw new UsageError(RunnerCodes.NO_CHECKPOINT, `pipeline ${pipeline} has no checkpoint`, {
            hint: "Every stream starts from the beginning already.",
          });
        await store.setCheckpoint(pipeline, withoutStreamBookmark(saved.state, options.stream, pipeline), saved.runId);
        process.stderr.write(`bookmark of stream ${options.stream} cleared in the checkpoint of ${pipeline}: that stream starts from the beginning next run\n`);
      } finally {
        await store.close();
      }
    });
  return state;
}
