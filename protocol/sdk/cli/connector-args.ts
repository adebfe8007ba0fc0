import { Command, CommanderError, Option } from "commander";
import { UsageError } from "../../errors.js";
import type { ConnectorKind } from "../about.js";
import { LOG_LEVELS, type LogLevel } from "../logger.js";
import { ProtocolCodes } from "../../messages/codes.js";

export type ConnectorMode = "about" | "discover" | "test_connection" | "sync";

/** The command line of every SDK-built connector, parsed. */
export interface ConnectorArgs {
  readonly mode: ConnectorMode;
  readonly format: "json" | "markdown";
  readonly configFiles: readonly string[];
  readonly catalogFile: string | undefined;
  readonly stateFile: string | undefined;
  readonly logLevel: LogLevel;
  readonly debug: boolean;
}

/** Set when `--help` or `--version` printed and the process should end with 0. */
export class HelpShown extends Error {}

interface RawOptions {
  about?: boolean;
  format: "json" | "markdown";
  discover?: boolean;
  test_connection?: boolean;
  testConnection?: boolean;
  config: string[];
  catalog?: string;
  properties?: string;
  state?: string;
  logLevel: LogLevel;
  debug?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(name: string, version: string, description: string, kind: ConnectorKind): Command {
  const program = new Command(name)
    .description(description)
    .version(version, "-V, --version")
    .helpOption("-h, --help")
    .option("--about", "print name, version, capabilities and settings, then exit")
    .addOption(new Option("--format <format>", "format of --about").choices(["json", "markdown"]).default("json"))
    .option("-c, --config <file>", "config file (repeatable; later files override earlier ones)", collect, [] as string[])
    .option("--test_connection", "check that the source or destination is reachable, then exit")
    .addOption(new Option("--test-connection").hideHelp())
    .addOption(new Option("--log-level <level>", "least severe log level shown on stderr").choices([...LOG_LEVELS]).default("info"))
    .option("--debug", "show stack traces and debug logs");
  if (kind === "tap") {
    program
      .option("-d, --discover", "print the catalog of available streams, then exit")
      .option("--catalog <file>", "catalog file selecting streams and properties to sync")
      .option("-p, --properties <file>", "legacy name for --catalog")
      .option("-s, --state <file>", "state file to resume from");
  }
  return program
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true);
}

/** Parses argv (without node and script). Throws UsageError on a bad command line. */
export function parseConnectorArgs(argv: readonly string[], name: string, version: string, description: string, kind: ConnectorKind): ConnectorArgs {
  const program = buildProgram(name, version, description, kind);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") throw new HelpShown();
      throw new UsageError(ProtocolCodes.USAGE, error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " "), {
        where: { connector: name },
        hint: `Run \`${name} --help\` for the options.`,
      });
    }
    throw error;
  }
  const options = program.opts<RawOptions>();
  const modes: ConnectorMode[] = [];
  if (options.about === true) modes.push("about");
  if (options.discover === true) modes.push("discover");
  if (options.test_connection === true || options.testConnection === true) modes.push("test_connection");
  if (modes.length > 1) {
    throw new UsageError(ProtocolCodes.USAGE, `choose one mode, not ${modes.map((mode) => `--${mode}`).join(" and ")}`, {
      where: { connector: name },
      hint: `Run \`${name} --help\` for the options.`,
    });
  }
  if (options.catalog !== undefined && options.properties !== undefined) {
    throw new UsageError(ProtocolCodes.USAGE, "give --catalog or --properties, not both", { where: { connector: name } });
  }
  return {
    mode: modes[0] ?? "sync",
    format: options.format,
    configFiles: options.config,
    catalogFile: options.catalog ?? options.properties,
    stateFile: options.state,
    logLevel: options.debug === true ? "debug" : options.logLevel,
    debug: options.debug === true,
  };
}
