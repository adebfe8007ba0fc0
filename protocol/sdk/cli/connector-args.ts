import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../../errors.js";
import type { ConnectorKind } from "../about.js";
import type { LogLevel } from "../logger.js";
import { ProtocolCodes } from "../../messages/codes.js";
import { optionsFor, type OptionValues, type ProgramInfo } from "./connector-options.js";

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

/**
 * A well-formed command line parsed by Node's own parser, which costs a
 * connector nothing to load; undefined for anything else (`--help`,
 * `--version`, an unknown option, a missing value, a value not among an
 * option's choices, an argument that is no option), which commander then
 * parses, printing its help or its message. Loading commander cost each
 * connector about 10 ms at start (docs/performance.md).
 */
export function quickParse(argv: readonly string[], kind: ConnectorKind): OptionValues | undefined {
  const specs = optionsFor(kind);
  const options: NonNullable<ParseArgsConfig["options"]> = {};
  for (const spec of specs) {
    options[spec.name] = {
      type: spec.value === undefined ? "boolean" : "string",
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.repeatable === true ? { multiple: true } : {}),
    };
  }
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch {
    return undefined;
  }
  const parsed: Record<string, string | readonly string[] | boolean | undefined> = {};
  for (const spec of specs) {
    const value = values[spec.name] ?? (spec.repeatable === true ? [] : spec.default);
    if (spec.choices !== undefined && typeof value === "string" && !spec.choices.includes(value)) return undefined;
    parsed[spec.name] = value as string | readonly string[] | boolean | undefined;
  }
  return parsed;
}

/** Parses argv (without node and script). Throws UsageError on a bad command line, HelpShown after `--help` or `--version`. */
export async function parseConnectorArgs(argv: readonly string[], info: ProgramInfo): Promise<ConnectorArgs> {
  const values = quickParse(argv, info.kind) ?? (await import("./commander-args.js")).parseWithCommander(argv, info);
  return connectorArgsOf(values, info.name);
}

/** The mode and files a parsed command line asks for; a UsageError for two modes at once, or --catalog with --properties. */
export function connectorArgsOf(values: OptionValues, name: string): ConnectorArgs {
  const modes: ConnectorMode[] = [];
  if (values["about"] === true) modes.push("about");
  if (values["discover"] === true) modes.push("discover");
  if (values["test_connection"] === true || values["test-connection"] === true) modes.push("test_connection");
  if (modes.length > 1) {
    throw new UsageError(ProtocolCodes.USAGE, `choose one mode, not ${modes.map((mode) => `--${mode}`).join(" and ")}`, {
      where: { connector: name },
      hint: `Run \`${name} --help\` for the options.`,
    });
  }
  const catalog = values["catalog"] as string | undefined;
  const properties = values["properties"] as string | undefined;
  if (catalog !== undefined && properties !== undefined) {
    throw new UsageError(ProtocolCodes.USAGE, "give --catalog or --properties, not both", { where: { connector: name } });
  }
  const debug = values["debug"] === true;
  return {
    mode: modes[0] ?? "sync",
    format: values["format"] as ConnectorArgs["format"],
    configFiles: values["config"] as readonly string[],
    catalogFile: catalog ?? properties,
    stateFile: values["state"] as string | undefined,
    logLevel: debug ? "debug" : (values["log-level"] as LogLevel),
    debug,
  };
}
