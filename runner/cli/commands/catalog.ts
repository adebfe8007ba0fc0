import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command } from "commander";
import { catalogForPipeline } from "../../catalog/catalog-for-pipeline.js";
import type { CatalogPlan } from "../../catalog/plan-catalog.js";
import type { PipelineDefinition } from "../../definition.js";
import { resolvePipeline } from "../../project/resolve-pipeline.js";
import { loggerFor, projectStore, requireProject, writeOut, type CommonOptions } from "../cli-context.js";
import { selectTable } from "../select-table.js";

/** The pipeline, its catalog plan (discovering or from the cache), and the logger used. */
async function planFor(pipeline: string, options: CommonOptions, refresh: boolean): Promise<{ definition: PipelineDefinition; plan: CatalogPlan }> {
  const project = requireProject(options);
  const definition = resolvePipeline(project, pipeline);
  const logger = loggerFor(options);
  const store = projectStore(options, project);
  try {
    const plan = await catalogForPipeline(definition, store, logger, refresh);
    for (const warning of plan.warnings) logger.warn(`pipeline ${definition.name}: ${warning}`);
    return { definition, plan };
  } finally {
    await store.close();
  }
}

function origin(plan: CatalogPlan): string {
  if (plan.source === "file") return "from the pipeline's catalog file";
  return plan.source === "cache" ? `from the cache (discovered ${plan.discoveredAt ?? "earlier"}; --refresh discovers again)` : "discovered now";
}

export function discoverCommand(common: () => CommonOptions): Command {
  return new Command("discover")
    .description("print the catalog a run hands the tap: its --discover output (cached) with the pipeline's select, metadata and schema applied")
    .argument("<pipeline>")
    .option("--refresh", "run the tap's --discover again, replacing the cached catalog")
    .option("--output <file>", "write the catalog to this file instead of stdout")
    .action(async (pipeline: string, options: { refresh?: boolean; output?: string }) => {
      const { definition, plan } = await planFor(pipeline, common(), options.refresh === true);
      const text = `${JSON.stringify(plan.catalog, null, 2)}\n`;
      if (options.output === undefined) await writeOut(text);
      else writeFileSync(resolve(options.output), text);
      const changes = plan.changes;
      if (changes !== undefined)
        process.stderr.write(
          changes.length === 0
            ? "nothing changed since the cached catalog\n"
            : `changed since the cached catalog:\n${changes.map((line) => `  ${line}\n`).join("")}`,
        );
      const selected = plan.report.filter((stream) => stream.decision.selected).length;
      process.stderr.write(
        `catalog of ${definition.name}: ${plan.catalog.streams.length} stream(s), ${selected} selected, ${origin(plan)}${options.output === undefined ? "" : `; written to ${options.output}`}\n`,
      );
    });
}

export function selectCommand(common: () => CommonOptions): Command {
  return new Command("select")
    .description("show which streams and properties a pipeline syncs, and the select rule that decided each (edit `select` in pipelines.toml to change it)")
    .argument("<pipeline>")
    .option("--list", "list the selection (the default)")
    .option("--all", "also list excluded streams and properties")
    .option("--refresh", "run the tap's --discover again first")
    .action(async (pipeline: string, options: { list?: boolean; all?: boolean; refresh?: boolean }) => {
      const shared = common();
      const { definition, plan } = await planFor(pipeline, shared, options.refresh === true);
      if (shared.json === true) {
        const report = plan.report.map((stream) => ({
          stream: stream.stream,
          selected: stream.decision.selected,
          by: stream.decision.by,
          properties: [...stream.properties].map(([property, decision]) => ({
            property,
            selected: decision.selected && stream.decision.selected,
            automatic: decision.automatic,
            by: decision.by,
          })),
        }));
        await writeOut(`${JSON.stringify(report)}\n`);
        return;
      }
      await writeOut(selectTable(plan.report, options.all === true));
      process.stderr.write(`catalog of ${definition.name} ${origin(plan)}\n`);
    });
}
