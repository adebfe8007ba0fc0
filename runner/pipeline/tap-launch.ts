import { ConfigError, registerConfigSecrets, type AgoraError, type Logger } from "../../protocol/index.js";
import { catalogArgs, planCatalog, type CatalogPlan } from "../catalog/plan-catalog.js";
import { RunnerCodes } from "../errors.js";
import type { StateStore } from "../state/interfaces.js";
import type { SavedCheckpoint } from "../state/types.js";
import { aboutCached } from "../connector/about-cache.js";
import { argsWithConfig } from "../connector/connector-config.js";
import type { StreamDirectory } from "./stream-directory.js";
import { stateArgs } from "../connector/about.js";
import type { PipelineDefinition } from "../definition.js";
import { prepareAirbyteSource, type AirbyteSourceLaunch } from "../airbyte/source-launch.js";
import { AirbyteSource } from "../airbyte/airbyte-source.js";
import { RunNotices } from "../airbyte/run-notices.js";
import { SourceTranslator } from "../airbyte/source-translator.js";
import { ConnectorProcess, type Connector } from "../process/connector-process.js";
import type { RunEvents } from "./run-events.js";
import type { SourceNotes } from "./source-notes.js";

/** How a run starts its tap. */
export interface TapLaunch {
  readonly args: string[];
  /** The catalog it is handed, if any. */
  readonly catalog: CatalogPlan | undefined;
  /** Given --state though it has no --about to say it resumes: said if it then fails. */
  readonly stateGivenUnasked: boolean;
  /** An Airbyte source: the streams `read` was configured with, and the state array it was handed. */
  readonly airbyte?: Omit<AirbyteSourceLaunch, "args"> & { readonly settings: unknown };
}

/**
 * The tap's arguments for a run: its config (written into `workDir`), the
 * catalog planned for it (cached, discovered or the pipeline's file), and
 * the saved checkpoint when it can resume. Its --about is asked once and
 * cached; the secrets it declares are masked from then on.
 */
export async function prepareTap(
  definition: PipelineDefinition,
  context: {
    readonly store: StateStore;
    readonly logger: Logger;
    readonly workDir: string;
    readonly saved: SavedCheckpoint | undefined;
    readonly refresh?: boolean | undefined;
  },
): Promise<TapLaunch> {
  const { store, logger, workDir } = context;
  const tap = definition.tap;
  const configArgs = argsWithConfig(tap, workDir);
  const about = await aboutCached(tap, configArgs, store, definition.name);
  registerConfigSecrets(tap.config, about.settings);
  const catalog = await planCatalog(definition, { cache: store, logger, configArgs, about, refresh: context.refresh });
  for (const warning of catalog?.warnings ?? []) logger.warn(`pipeline ${definition.name}: ${warning}`);
  if (catalog === undefined && definition.schemaChanges !== "evolve") {
    logger.warn(
      `pipeline ${definition.name}: schema_changes = "${definition.schemaChanges}" has nothing to compare with: the tap runs without a catalog (it does not claim discovery, or discover = false)`,
    );
  }
  if (about.protocol === "airbyte") {
    const launch = prepareAirbyteSource(definition, { configArgs, plan: catalog, saved: context.saved, workDir, logger });
    return {
      args: launch.args,
      catalog,
      stateGivenUnasked: false,
      airbyte: { streams: launch.streams, initialState: launch.initialState, settings: about.settings },
    };
  }
  const args = [
    ...configArgs,
    ...(catalog === undefined ? [] : catalogArgs(catalog, workDir)),
    ...stateArgs(tap, about, context.saved, definition.resume, workDir, definition.name, logger),
  ];
  // A tap that says nothing about resuming gets --state as the Singer spec has it; if it then fails, say so.
  return { args, catalog, stateGivenUnasked: args.includes("--state") && about.capabilities === undefined };
}

/**
 * A tap handed a selection that sent nothing for any selected stream, not
 * even its SCHEMA, most likely did not read the catalog: classic Singer
 * taps (singer-io's tap-postgres) read only --properties. Said, so "read 0"
 * is not taken for an empty source; under on_catalog_ignored = "fail", the
 * error that fails the run.
 */
export function catalogIgnored(
  definition: PipelineDefinition,
  plan: CatalogPlan | undefined,
  read: number,
  streams: StreamDirectory,
  logger: Logger,
): AgoraError | undefined {
  if (plan === undefined || read > 0) return undefined;
  const selected = plan.report.filter((stream) => stream.decision.selected).map((stream) => stream.stream);
  if (selected.length === 0 || selected.some((stream) => streams.announced(stream))) return undefined;
  const names = `${selected.slice(0, 5).join(", ")}${selected.length > 5 ? `, and ${selected.length - 5} more` : ""}`;
  const other = plan.flag === "--catalog" ? "properties" : "catalog";
  const what = `${definition.tap.name} was handed a catalog (${plan.flag}) selecting ${selected.length} stream(s) (${names}) and sent no SCHEMA or RECORD for any of them`;
  const hint = `If it reads its catalog from another flag (classic taps read only --properties), set catalog_flag = "${other}" on the tap; else check the selection (agora select ${definition.name}).`;
  if (definition.onCatalogIgnored === "fail") {
    return new ConfigError(RunnerCodes.CATALOG_IGNORED, `${what} (on_catalog_ignored = "fail")`, { where: { pipeline: definition.name }, hint });
  }
  logger.warn(`pipeline ${definition.name}: ${what}. ${hint}`);
  return undefined;
}

/** Starts the tap as its launch says: a Singer process, or an Airbyte source behind its translator. */
export function startTap(
  definition: PipelineDefinition,
  launch: TapLaunch,
  context: { readonly logger: Logger; readonly events?: RunEvents | undefined; readonly notes?: SourceNotes | undefined },
): Connector {
  const tap = definition.tap;
  if (launch.airbyte === undefined) return new ConnectorProcess({ ...tap, role: "tap", args: launch.args });
  const notices = new RunNotices(tap, { pipeline: definition.name, projectDir: definition.projectDir, settings: launch.airbyte.settings, ...context });
  const translator = new SourceTranslator(tap.name, launch.airbyte.streams, launch.airbyte.initialState, notices);
  return new AirbyteSource({ ...tap, args: launch.args }, translator, definition.maxLineBytes);
}
