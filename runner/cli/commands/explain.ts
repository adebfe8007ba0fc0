import { Command } from "commander";
import { explainPipeline, explainText } from "../../explain/explain-pipeline.js";
import { resolvePipeline } from "../../project/resolve-pipeline.js";
import { projectStore, requireProject, writeOut, type CommonOptions } from "../cli-context.js";

export function explainCommand(common: () => CommonOptions): Command {
  return new Command("explain")
    .description(
      "show a pipeline's plan without running it: what the tap sends (rows or batches), each middleware's plane, what each target receives and whether it is downgraded, where checkpoints and dead letters go",
    )
    .argument("<pipeline>")
    .action(async (pipeline: string) => {
      const options = common();
      const project = requireProject(options);
      const definition = resolvePipeline(project, pipeline);
      const store = projectStore(options, project);
      try {
        const plan = await explainPipeline(definition, store);
        await writeOut(options.json === true ? `${JSON.stringify(plan)}\n` : explainText(plan));
      } finally {
        await store.close();
      }
    });
}
