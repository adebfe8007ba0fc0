import { tmpdir } from "node:os";
import { MessageWriter } from "../../framing/message-writer.js";
import type { JsonSchema } from "../../messages/types.js";
import { renderAboutMarkdown, type AboutInfo } from "../about.js";
import { parseConnectorArgs, type ConnectorArgs } from "../cli/connector-args.js";
import { connectorMain } from "../cli/connector-main.js";
import { compiledSettingsValidator } from "../compiled-settings.js";
import { loadConfig, type ConnectorConfig } from "../config.js";
import { printAbout, withSdkSettings, type Connector } from "../connector.js";
import type { Logger } from "../logger.js";
import { SDK_NAME } from "../version.js";
import { runTargetSync } from "./target-sync.js";
import { SUPPORTED_BATCH_FORMATS } from "./read-batch-files.js";
import type { TargetContext, TargetDefinition } from "./types.js";

/** Settings every SDK-built target has. */
export const TARGET_SDK_SETTINGS: Record<string, JsonSchema> = {
  batch_size_rows: {
    type: "integer",
    minimum: 1,
    default: 10000,
    description: "Write a batch once this many records are waiting.",
  },
  batch_min_rows_per_stream: {
    type: "integer",
    minimum: 1,
    default: 50,
    description:
      "With more than 100 streams in a batch, let it grow past batch_size_rows until it holds this many records per stream (up to 20 × batch_size_rows, and never past batch_wait_limit_seconds): each batch costs a write and an fsync per stream, so 2,000 streams in a batch of 10,000 records would cost 2,000 fsyncs for 5 records each.",
  },
  batch_wait_limit_seconds: {
    type: "number",
    exclusiveMinimum: 0,
    default: 1,
    description: "Write a batch once its oldest record has waited this long, so STATE is confirmed promptly on slow streams.",
  },
  validate_records: {
    type: "boolean",
    default: true,
    description: "Check each RECORD against its stream's SCHEMA; an invalid record fails the run with its line and field.",
  },
  batch_roots: {
    type: "array",
    items: { type: "string", minLength: 1 },
    description:
      "Folders BATCH files may be read from (default: the system temporary folder and the working directory); a manifest naming a file elsewhere is refused.",
  },
};

type TargetConfig = ConnectorConfig & {
  batch_size_rows: number;
  batch_min_rows_per_stream: number;
  batch_wait_limit_seconds: number;
  validate_records: boolean;
  batch_roots?: string[];
};

/** Turns a target definition into a connector with the standard command line. */
export function defineTarget<Config extends ConnectorConfig = ConnectorConfig>(definition: TargetDefinition<Config>): Connector {
  const settings = withSdkSettings(definition.settings, TARGET_SDK_SETTINGS);
  const about: AboutInfo = {
    name: definition.name,
    kind: "target",
    version: definition.version,
    description: definition.description,
    sdk: SDK_NAME,
    // validate-records: each record is checked against its stream's SCHEMA (unless validate_records = false), and with
    // dead-letter an invalid one is answered as a DEAD_LETTER: a runner may then forward records without parsing them.
    capabilities: [
      "about",
      "test-connection",
      "batch",
      "dead-letter",
      "validate-records",
      ...(definition.activatesVersions === true ? ["activate-version"] : []),
    ],
    batch_formats: SUPPORTED_BATCH_FORMATS,
    settings,
  };

  async function run(args: ConnectorArgs, logger: Logger, compiledSettings: URL | undefined): Promise<number | void> {
    if (args.mode === "about") return printAbout(about, args.format, renderAboutMarkdown);
    const config = (await loadConfig(args.configFiles, settings, definition.name, compiledSettingsValidator(compiledSettings, settings))) as Config &
      TargetConfig;
    const context: TargetContext<Config> = { config, logger };
    if (args.mode === "test_connection") {
      // Said plainly: an author who has not written a check must not read "connection ok".
      if (definition.testConnection === undefined) logger.warn(`connection not checked: ${definition.name} defines no testConnection; its config is valid`);
      else logger.info(`connection ok: ${await definition.testConnection(context)}`);
      return undefined;
    }
    const writer = await definition.open(context);
    const output = new MessageWriter(process.stdout);
    const summary = await runTargetSync(writer, process.stdin, output, logger, {
      batchSizeRows: config.batch_size_rows,
      batchMinRowsPerStream: config.batch_min_rows_per_stream,
      batchWaitMs: config.batch_wait_limit_seconds * 1000,
      validateRecords: config.validate_records,
      batchRoots: config.batch_roots ?? [tmpdir(), process.cwd()],
      connector: definition.name,
      deadLetters: process.env["AGORA_DEAD_LETTER"] === "1",
      nativeBatchFormats: definition.nativeBatchFormats ?? [],
    });
    await output.close();
    const rejected = summary.rejected === 0 ? "" : `; rejected ${summary.rejected} as DEAD_LETTER`;
    logger.info(`wrote ${summary.records - summary.rejected} records; confirmed ${summary.statesConfirmed} STATE message(s)${rejected}`);
    return undefined;
  }

  return {
    about,
    main: (argv = process.argv.slice(2), options = {}) =>
      connectorMain(
        definition.name,
        () => parseConnectorArgs(argv, { name: definition.name, version: definition.version, description: definition.description, kind: "target" }),
        (args, logger) => run(args, logger, options.compiledSettings),
      ),
  };
}
