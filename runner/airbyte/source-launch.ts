import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, stringifyJson, type Logger } from "../../protocol/index.js";
import type { CatalogPlan } from "../catalog/plan-catalog.js";
import type { PipelineDefinition } from "../definition.js";
import { RunnerCodes } from "../errors.js";
import type { SavedCheckpoint } from "../state/types.js";
import { configuredCatalogOf, configuredStreamsOf, type SourceStream } from "./airbyte-catalog.js";
import { airbyteArgs } from "./airbyte-commands.js";
import { describeDescriptor } from "./airbyte-message.js";
import { stateProblem } from "./airbyte-state.js";

/** How a run starts an Airbyte source: `read`'s args, the streams it reads, and the state array it was handed. */
export interface AirbyteSourceLaunch {
  readonly args: string[];
  readonly streams: readonly SourceStream[];
  readonly initialState: readonly unknown[];
}

/**
 * `read --config FILE --catalog FILE [--state FILE]`: the configured
 * catalog made from the run's catalog plan, and the saved checkpoint (the
 * state array an earlier run kept) unless the pipeline says not to resume.
 */
export function prepareAirbyteSource(
  definition: PipelineDefinition,
  context: {
    readonly configArgs: readonly string[];
    readonly plan: CatalogPlan | undefined;
    readonly saved: SavedCheckpoint | undefined;
    readonly workDir: string;
    readonly logger: Logger;
  },
): AirbyteSourceLaunch {
  const { plan, saved, workDir, logger } = context;
  const tap = definition.tap;
  if (plan === undefined) {
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, "an Airbyte source needs a catalog, and this pipeline has none", {
      where: { pipeline: definition.name, connector: tap.name },
      hint: "Remove --catalog from the tap's args and discover = false from the pipeline: the runner discovers and hands read its configured catalog.",
    });
  }
  const streams = configuredStreamsOf(plan.catalog);
  for (const stream of streams.filter((item) => item.nestedKey))
    logger.warn(
      `pipeline ${definition.name}: stream ${stream.id}'s key ${JSON.stringify(stream.configured.primary_key)} has a nested path, which Singer targets cannot key on: they are given no key (they append); Airbyte destinations get it whole`,
    );
  const catalogFile = join(workDir, "configured_catalog.json");
  writeFileSync(catalogFile, stringifyJson(configuredCatalogOf(streams)), { mode: 0o600 });
  const initialState = stateToHand(definition, saved, logger);
  const args = [...airbyteArgs(tap, "read", context.configArgs), "--catalog", catalogFile];
  if (initialState.length > 0) {
    const stateFile = join(workDir, "state.json");
    writeFileSync(stateFile, stringifyJson(initialState), { mode: 0o600 });
    args.push("--state", stateFile);
    logger.info(`pipeline ${definition.name}: resuming from the checkpoint saved ${saved?.updatedAt ?? ""} (${describeStates(initialState)})`);
  }
  return { args, streams, initialState };
}

/** The saved state array, checked; none without a checkpoint or with resume = false. */
function stateToHand(definition: PipelineDefinition, saved: SavedCheckpoint | undefined, logger: Logger): readonly unknown[] {
  if (saved === undefined) return [];
  if (!definition.resume) {
    logger.info(`pipeline ${definition.name}: not handing ${definition.tap.name} the checkpoint (resume = false); it starts from the beginning`);
    return [];
  }
  const problem = Array.isArray(saved.state) ? saved.state.map(stateProblem).find((item) => item !== undefined) : "it is not a JSON array of state messages";
  if (problem !== undefined) {
    throw new ConfigError(RunnerCodes.AIRBYTE_STATE_INVALID, `the checkpoint of pipeline ${definition.name} is not an Airbyte source's state: ${problem}`, {
      where: { pipeline: definition.name, connector: definition.tap.name },
      hint: `An Airbyte source resumes from the array of state messages an earlier run kept. Set one with \`agora state set ${definition.name} FILE\`, or clear it with \`agora state clear ${definition.name}\` to start over.`,
    });
  }
  return saved.state as unknown[];
}

/** `2 streams (users, orders)` or `a GLOBAL state`: what a state array covers, for the resume line. */
function describeStates(states: readonly unknown[]): string {
  const names = states.flatMap((state) => {
    const record = state as Record<string, unknown>;
    if (record["type"] === "STREAM") {
      const stream = record["stream"] as { stream_descriptor: { name: string; namespace?: string } };
      return [describeDescriptor(stream.stream_descriptor)];
    }
    return [record["type"] === "GLOBAL" ? "a GLOBAL state" : "a LEGACY state"];
  });
  return names.join(", ");
}
