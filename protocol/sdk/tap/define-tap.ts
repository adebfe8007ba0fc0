import { describeStream, isStreamSelected } from "../../../catalogs/index.js";
import { MessageWriter } from "../../framing/message-writer.js";
import type { JsonSchema } from "../../messages/types.js";
import { renderAboutMarkdown, type AboutInfo } from "../about.js";
import { connectorMain } from "../cli/connector-main.js";
import { exitCodeForSignal } from "../exit-codes.js";
import { parseConnectorArgs, type ConnectorArgs } from "../cli/connector-args.js";
import { compiledSettingsValidator } from "../compiled-settings.js";
import { loadConfig, type ConnectorConfig } from "../config.js";
import { printAbout, withSdkSettings, type Connector } from "../connector.js";
import { loadCatalogFile } from "../load-catalog.js";
import type { Logger } from "../logger.js";
import { readJsonFile } from "../read-json-file.js";
import { SDK_NAME } from "../version.js";
import { planStreams, type PlannedStream } from "./stream-plan.js";
import { syncStream } from "./sync-stream.js";
import { BATCH_CONFIG_SETTING, batchConfigOf } from "./batch-config.js";
import { TapBookmarks } from "./tap-bookmarks.js";
import type { StreamRequest, TapContext, TapDefinition } from "./types.js";

/** Settings every SDK-built tap has. */
export const TAP_SDK_SETTINGS: Record<string, JsonSchema> = {
  state_every_records: {
    type: "integer",
    minimum: 1,
    default: 1000,
    description:
      "Write a STATE message after this many records of a resumable stream (and at the end of each stream). With batch_config, a STATE follows each batch file instead.",
  },
  batch_config: BATCH_CONFIG_SETTING,
};

type TapConfig = ConnectorConfig & { state_every_records: number; batch_config?: Parameters<typeof batchConfigOf>[0] };

/** Turns a tap definition into a connector with the standard command line. */
export function defineTap<Config extends ConnectorConfig = ConnectorConfig>(definition: TapDefinition<Config>): Connector {
  const settings = withSdkSettings(definition.settings, TAP_SDK_SETTINGS);
  const about: AboutInfo = {
    name: definition.name,
    kind: "tap",
    version: definition.version,
    description: definition.description,
    sdk: SDK_NAME,
    capabilities: ["about", "discover", "catalog", "properties", ...(definition.resumable ? ["state"] : []), "test-connection", "batch"],
    settings,
  };

  async function run(args: ConnectorArgs, logger: Logger, compiledSettings: URL | undefined): Promise<number | void> {
    if (args.mode === "about") return printAbout(about, args.format, renderAboutMarkdown);
    const config = (await loadConfig(args.configFiles, settings, definition.name, compiledSettingsValidator(compiledSettings, settings))) as Config & TapConfig;
    const context: TapContext<Config> = { config, logger };
    if (args.mode === "discover") return printCatalog(definition, context);
    if (args.mode === "test_connection") return testConnection(definition, context, logger);
    return syncTap(definition, args, context, config, logger);
  }

  return {
    about,
    main: (argv = process.argv.slice(2), options = {}) =>
      connectorMain(
        definition.name,
        () => parseConnectorArgs(argv, { name: definition.name, version: definition.version, description: definition.description, kind: "tap" }),
        (args, logger) => run(args, logger, options.compiledSettings),
      ),
  };
}

/** `--discover`: the catalog of every stream, on stdout. */
async function printCatalog<Config extends ConnectorConfig>(definition: TapDefinition<Config>, context: TapContext<Config>): Promise<undefined> {
  const streams = await definition.discoverStreams(context);
  const catalog = {
    streams: streams.map((stream) =>
      describeStream({
        tapStreamId: stream.name,
        schema: stream.schema,
        ...(stream.keyProperties === undefined ? {} : { keyProperties: stream.keyProperties }),
        ...(stream.replicationKey === undefined ? {} : { replicationKey: stream.replicationKey }),
        // A stream that resumes (from a bookmark or a replication key) reads only what is new: INCREMENTAL.
        replicationMethod: stream.resumable === true || stream.replicationKey !== undefined ? "INCREMENTAL" : "FULL_TABLE",
      }),
    ),
  };
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(catalog, null, 2)}\n`, () => resolve()));
  return undefined;
}

/** `--test_connection`: the tap's own check, or its streams discovered. */
async function testConnection<Config extends ConnectorConfig>(
  definition: TapDefinition<Config>,
  context: TapContext<Config>,
  logger: Logger,
): Promise<undefined> {
  if (definition.testConnection === undefined) {
    // Said plainly: an author who has not written a check must not read "connection ok".
    const streams = (await definition.discoverStreams(context)).length;
    logger.warn(`connection not checked: ${definition.name} defines no testConnection; its config is valid and discovery found ${streams} stream(s)`);
    return undefined;
  }
  logger.info(`connection ok: ${await definition.testConnection(context)}`);
  return undefined;
}

/** The streams a sync reads: with a catalog, only its selected streams, built from its schemas (no second sampling or fetching). */
async function streamsToSync<Config extends ConnectorConfig>(
  definition: TapDefinition<Config>,
  args: ConnectorArgs,
  context: TapContext<Config>,
  logger: Logger,
): Promise<Array<PlannedStream<Config>>> {
  const catalog = args.catalogFile === undefined ? undefined : loadCatalogFile(args.catalogFile, definition.name);
  const request: StreamRequest | undefined =
    catalog === undefined
      ? undefined
      : { schemas: new Map(catalog.streams.filter((entry) => isStreamSelected(entry)).map((entry) => [entry.tap_stream_id, entry.schema])) };
  const planned = planStreams(await definition.discoverStreams(context, request), catalog, args.catalogFile, definition.name);
  for (const item of planned) {
    if (item.newProperties.length > 0)
      logger.info(
        `stream ${item.stream.name}: the source has ${item.newProperties.length === 1 ? "a property" : "properties"} the catalog does not name (${item.newProperties.join(", ")}), added since it was made; sent with the others (discover again to choose)`,
      );
  }
  return planned;
}

/** A sync: each planned stream in turn, until done or a signal asks to stop after the current record. */
async function syncTap<Config extends ConnectorConfig>(
  definition: TapDefinition<Config>,
  args: ConnectorArgs,
  context: TapContext<Config>,
  config: TapConfig,
  logger: Logger,
): Promise<number | void> {
  if (args.stateFile !== undefined && !definition.resumable) logger.warn("this tap cannot resume; --state is ignored");
  const inputState = args.stateFile === undefined || !definition.resumable ? undefined : readJsonFile(args.stateFile, "--state", { exact: true });
  const bookmarks = new TapBookmarks(inputState, args.stateFile);
  const planned = await streamsToSync(definition, args, context, logger);
  const controller = new AbortController();
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stopSignal = signal;
    logger.warn(`${signal} received: stopping after the current record`);
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const output = new MessageWriter(process.stdout);
  const options = {
    output,
    bookmarks,
    stateEveryRecords: config.state_every_records,
    signal: controller.signal,
    batch: config.batch_config === undefined ? undefined : batchConfigOf(config.batch_config),
  };
  let total = 0;
  try {
    for (const item of planned) {
      const result = await syncStream(item, context, options);
      total += result.records;
      logger.debug(`stream ${item.stream.name}: ${result.records} records`);
      if (result.stopped) break;
    }
  } catch (error) {
    // Hand over what was written before the failure (its STATE included) before reporting it.
    await output.close().catch(() => undefined);
    throw error;
  }
  await output.close();
  logger.info(`${stopSignal === undefined ? "synced" : "stopped after"} ${total} records from ${planned.length} stream(s)`);
  return stopSignal === undefined ? undefined : exitCodeForSignal(stopSignal);
}
