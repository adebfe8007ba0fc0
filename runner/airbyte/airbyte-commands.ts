import { basename } from "node:path";
import { ConfigError, FatalError, type AgoraError } from "../../protocol/index.js";
import { splitCommand } from "../process/split-command.js";
import { normalizeCatalog, type Catalog } from "../../catalogs/index.js";
import type { ConnectorAbout } from "../connector/about.js";
import { saidOnStderr } from "../connector/probe-mode.js";
import type { ConnectorDefinition } from "../definition.js";
import { RunnerCodes } from "../errors.js";
import { runCommandToEnd, type Captured } from "../process/spawn-command.js";
import { airbyteCatalogProblem, singerCatalogOf, type AirbyteStream } from "./airbyte-catalog.js";
import { firstMessageOf, isObject, readAirbyteLine } from "./airbyte-message.js";
import { traceError } from "./source-translator.js";

/**
 * The Airbyte commands that run to an end: `spec`, `check`, `discover`.
 * Each is `COMMAND [ARGS] SUBCOMMAND [--config FILE]`, its answer one
 * message among the lines of stdout, and a TRACE ERROR the failure it
 * reports (its failure_type deciding the kind).
 */

/** Longest answer read from `spec`, `check` or `discover`. */
const ANSWER_MAX_BYTES = 64 * 1024 * 1024;

/** The args of an Airbyte subcommand: the connector's own args, the subcommand, then `--config FILE` and the rest. */
export function airbyteArgs(connector: Pick<ConnectorDefinition, "args">, subcommand: string, configArgs: readonly string[]): string[] {
  return [...connector.args, subcommand, ...configArgs.slice(connector.args.length)];
}

/** True for a command whose program is named as Airbyte names its connectors: `source-x`, `destination-x` (`prefix`). */
export function namedLikeAirbyte(command: string, prefix: "source-" | "destination-"): boolean {
  const [program] = splitCommand(command);
  return program !== undefined && basename(program).startsWith(prefix);
}

/**
 * True for a connector that speaks Airbyte as far as its definition says:
 * `protocol`, when the project sets it; else a command named as Airbyte
 * names its sources or destinations (`prefix`).
 */
export function speaksAirbyte(connector: Pick<ConnectorDefinition, "protocol" | "command">, prefix: "source-" | "destination-"): boolean {
  if (connector.protocol !== undefined) return connector.protocol === "airbyte";
  return namedLikeAirbyte(connector.command, prefix);
}

/** The capabilities an Airbyte connector has in Agora's terms: a source discovers, takes a catalog and resumes. */
const AIRBYTE_CAPABILITIES = ["discover", "catalog", "state"];

/** What `spec` says, as an about: its connectionSpecification is the settings (airbyte_secret fields are masked). Undefined when it gave no SPEC. */
export async function askSpec(
  connector: Pick<ConnectorDefinition, "command" | "args" | "cwd" | "env">,
  timeoutMs = 30_000,
): Promise<ConnectorAbout | undefined> {
  const result = await runCommandToEnd(connector.command, [...connector.args, "spec"], {
    cwd: connector.cwd,
    env: connector.env,
    timeoutMs,
    maxBytes: 4 * 1024 * 1024,
  });
  return result.exitCode === 0 ? aboutFromSpec(result.stdout) : undefined;
}

/** The about of a `spec` answer, or undefined when it holds no SPEC message. */
export function aboutFromSpec(stdout: string): ConnectorAbout | undefined {
  const spec = firstMessageOf(stdout, "SPEC")?.["spec"];
  if (!isObject(spec)) return undefined;
  return {
    protocol: "airbyte",
    capabilities: AIRBYTE_CAPABILITIES,
    version: typeof spec["protocol_version"] === "string" ? `airbyte-protocol ${spec["protocol_version"]}` : undefined,
    settings: spec["connectionSpecification"],
  };
}

/** `discover`'s CATALOG as a Singer catalog (see airbyte-catalog.ts). */
export async function discoverAirbyte(tap: ConnectorDefinition, configArgs: readonly string[], timeoutMs: number): Promise<Catalog> {
  const result = await runAnswering(tap, "discover", configArgs, timeoutMs);
  const catalog = firstMessageOf(result.stdout, "CATALOG")?.["catalog"];
  const problem = catalog === undefined ? "no CATALOG message" : airbyteCatalogProblem(catalog);
  if (problem !== undefined) {
    throw new FatalError(RunnerCodes.DISCOVERY_FAILED, `the source's discover printed ${problem}`, {
      where: { connector: tap.name },
      hint: "An Airbyte source's discover prints one CATALOG message on stdout (see docs/airbyte.md).",
    });
  }
  return normalizeCatalog(singerCatalogOf(catalog as { streams: AirbyteStream[] }));
}

/** What `check` answered: SUCCEEDED, or FAILED with the connector's message. */
export async function checkAirbyte(
  connector: ConnectorDefinition,
  configArgs: readonly string[],
  timeoutMs: number,
): Promise<{ readonly ok: boolean; readonly message: string | undefined }> {
  const result = await runAnswering(connector, "check", configArgs, timeoutMs);
  const status = firstMessageOf(result.stdout, "CONNECTION_STATUS")?.["connectionStatus"];
  if (!isObject(status) || (status["status"] !== "SUCCEEDED" && status["status"] !== "FAILED")) {
    throw new FatalError(RunnerCodes.AIRBYTE_PROTOCOL, "check printed no CONNECTION_STATUS message with a status of SUCCEEDED or FAILED", {
      where: { connector: connector.name },
      hint: "An Airbyte connector's check prints one CONNECTION_STATUS message on stdout.",
    });
  }
  return { ok: status["status"] === "SUCCEEDED", message: typeof status["message"] === "string" ? status["message"] : undefined };
}

/** Runs a subcommand that answers with one message; a failure (or a TRACE ERROR) is an error of its kind. */
async function runAnswering(connector: ConnectorDefinition, subcommand: string, configArgs: readonly string[], timeoutMs: number): Promise<Captured> {
  const where = { connector: connector.name };
  const result = await runCommandToEnd(connector.command, airbyteArgs(connector, subcommand, configArgs), {
    cwd: connector.cwd,
    env: connector.env,
    timeoutMs,
    maxBytes: ANSWER_MAX_BYTES,
  });
  if (result.spawnError !== undefined) {
    throw new ConfigError(RunnerCodes.CONNECTOR_NOT_FOUND, `could not start ${subcommand} (${result.spawnError})`, {
      where,
      hint: "Check its command in pipelines.toml: is it installed and on PATH?",
    });
  }
  if (result.timedOut) {
    throw new FatalError(RunnerCodes.CONNECTOR_HUNG, `${subcommand} did not finish within ${Math.round(timeoutMs / 1000)} s`, {
      where,
      hint: "Raise idle_timeout_seconds if it is just slow, or check the source.",
    });
  }
  const reported = reportedError(connector.name, result.stdout);
  if (reported !== undefined) throw reported;
  if (result.exitCode !== 0) {
    const ending = result.exitCode === undefined ? `was killed by ${String(result.signal)}` : `exited with code ${result.exitCode}`;
    throw new FatalError(RunnerCodes.CONNECTOR_FAILED, `${subcommand} ${ending}; it said: ${saidOnStderr(result.stderr || logLines(result.stdout))}`, {
      where,
      hint: "Fix what it reports, then run again.",
    });
  }
  return result;
}

/** The first TRACE ERROR among the lines, as an error. */
function reportedError(connector: string, stdout: string): AgoraError | undefined {
  for (const line of stdout.split("\n")) {
    const message = readAirbyteLine(line);
    const trace = message?.type === "TRACE" ? message["trace"] : undefined;
    if (isObject(trace) && trace["type"] === "ERROR" && isObject(trace["error"])) return traceError(connector, trace["error"]);
  }
  return undefined;
}

/** The LOG messages' text, for an error when the connector wrote nothing on stderr. */
function logLines(stdout: string): string {
  return stdout
    .split("\n")
    .map((line) => readAirbyteLine(line))
    .flatMap((message) => (message?.type === "LOG" && isObject(message["log"]) ? [String(message["log"]["message"])] : []))
    .join("\n");
}
