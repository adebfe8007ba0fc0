import { rmSync } from "node:fs";
import type { Logger } from "../../protocol/index.js";
import { argsWithConfig } from "../connector/connector-config.js";
import { privateDir } from "../process/private-dir.js";
import { askAbout } from "../connector/about.js";
import type { PipelineDefinition } from "../definition.js";
import type { CatalogCache } from "../state/interfaces.js";
import { planCatalog, type CatalogPlan } from "./plan-catalog.js";

/**
 * The catalog a run of the pipeline would hand its tap, outside a run (for
 * `agora discover` and `agora select --list`): the tap's config goes to a
 * private temporary folder, removed afterwards.
 */
export async function catalogForPipeline(definition: PipelineDefinition, cache: CatalogCache, logger: Logger, refresh: boolean): Promise<CatalogPlan> {
  const dir = privateDir(definition.workDir, "catalog");
  try {
    const configArgs = argsWithConfig(definition.tap, dir);
    const about = await askAbout(definition.tap.command, configArgs, definition.tap.cwd, definition.tap.env);
    const plan = await planCatalog(definition, { cache, logger, configArgs, about, refresh, explicit: true });
    // With explicit, planCatalog either plans or says why it cannot.
    return plan as CatalogPlan;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
