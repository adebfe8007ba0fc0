import { readFileSync } from "node:fs";
import { Command } from "commander";
import { ConfigError, stringifyJson, UsageError } from "../../../protocol/index.js";
import { withoutStreamBookmark } from "../../state/clear-stream.js";
import { openStateStore, writeOut, type CommonOptions } from "../cli-context.js";

function parseState(text: string, from: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError("STATE_NOT_JSON", `the state is not valid JSON (${(error as Error).message})`, { where: { file: from }, hint: 'Give a JSON value such as \'{"bookmarks": {}}\'.' });
  }
}

export function stateCommand(common: () => CommonOptions): Command {
  const state = new Command("state").description("show, set or clear a pipeline's saved checkpoint");
  state
    .command("show")
    .argument("<pipeline>")
    .description("print the checkpoint the next run resumes from")
    .action(async (pipeline: string) => {
      const options = common();
      const store = openStateStore(options);
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
      if ((json === undefined) === (options.file === undefined)) throw new UsageError("USAGE", "give the state as an argument or with --file", { hint: `agora state set ${pipeline} '{"bookmarks": {}}'` });
      const value = options.file === undefined ? parseState(json as string, "the argument") : parseState(readFileSync(options.file, "utf8"), options.file);
      const store = openStateStore(common());
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
      const store = openStateStore(common());
      try {
        if (options.stream === undefined) {
          process.stderr.write((await store.clearCheckpoint(pipeline)) ? `checkpoint of ${pipeline} cleared\n` : `pipeline ${pipeline} had no checkpoint\n`);
          return;
        }
        const saved = await store.getCheckpoint(pipeline);
        if (saved === undefined) throw new UsageError("NO_CHECKPOINT", `pipeline ${pipeline} has no checkpoint`, { hint: "Every stream starts from the beginning already." });
        await store.setCheckpoint(pipeline, withoutStreamBookmark(saved.state, options.stream, pipeline), saved.runId);
        process.stderr.write(`bookmark of stream ${options.stream} cleared in the checkpoint of ${pipeline}: that stream starts from the beginning next run\n`);
      } finally {
        await store.close();
      }
    });
  return state;
}
