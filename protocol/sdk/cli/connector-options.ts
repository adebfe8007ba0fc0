import type { ConnectorKind } from "../about.js";
import { LOG_LEVELS } from "../logger.js";

/**
 * The options of every SDK-built connector's command line, in the order
 * `--help` lists them: one table that both parsers read (connector-args.ts
 * and commander-args.ts), so they cannot disagree on the grammar.
 */
export interface ConnectorOption {
  /** Its long name, without the dashes: what its value is keyed by. */
  readonly name: string;
  readonly short?: string;
  /** The placeholder of its value (`<file>`); none for a flag. */
  readonly value?: string;
  /** Given more than once, each value is kept in order (`--config`). */
  readonly repeatable?: boolean;
  readonly choices?: readonly string[];
  readonly default?: string;
  readonly description: string;
  /** Accepted, but not in `--help` (another spelling of a listed option). */
  readonly hidden?: boolean;
  /** Only taps have it. */
  readonly tapOnly?: boolean;
}

export const CONNECTOR_OPTIONS: readonly ConnectorOption[] = [
  { name: "about", description: "print name, version, capabilities and settings, then exit" },
  { name: "format", value: "<format>", choices: ["json", "markdown"], default: "json", description: "format of --about" },
  { name: "config", short: "c", value: "<file>", repeatable: true, description: "config file (repeatable; later files override earlier ones)" },
  { name: "test_connection", description: "check that the source or destination is reachable, then exit" },
  { name: "test-connection", hidden: true, description: "" },
  { name: "log-level", value: "<level>", choices: LOG_LEVELS, default: "info", description: "least severe log level shown on stderr" },
  { name: "debug", description: "show stack traces and debug logs" },
  { name: "discover", short: "d", tapOnly: true, description: "print the catalog of available streams, then exit" },
  { name: "catalog", value: "<file>", tapOnly: true, description: "catalog file selecting streams and properties to sync" },
  { name: "properties", short: "p", value: "<file>", tapOnly: true, description: "legacy name for --catalog" },
  { name: "state", short: "s", value: "<file>", tapOnly: true, description: "state file to resume from" },
];

/** The options a connector of this kind takes. */
export function optionsFor(kind: ConnectorKind): readonly ConnectorOption[] {
  return CONNECTOR_OPTIONS.filter((option) => option.tapOnly !== true || kind === "tap");
}

/** A parsed command line: each option given (or defaulted) by its long name. */
export type OptionValues = Readonly<Record<string, string | readonly string[] | boolean | undefined>>;

/** What a connector is called and says of itself, for its `--help` and `--version`. */
export interface ProgramInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly kind: ConnectorKind;
}

/** Thrown when `--help` or `--version` printed and the process should end with 0. */
export class HelpShown extends Error {}
