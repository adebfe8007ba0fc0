import { findCatalogProblems, normalizeCatalog, type Catalog } from "../../catalogs/index.js";
import { ConfigError, FatalError, UsageError } from "../../protocol/index.js";
import { saidOnStderr } from "../connector/probe-mode.js";
import { RunnerCodes } from "../errors.js";
import { runCommandToEnd } from "../process/spawn-command.js";
import type { ConnectorDefinition } from "../definition.js";

/**
 * Runs the tap's `--discover` and reads the catalog it prints. A tap that
 * fails is an error carrying its own last stderr line; its exit code says
 * what kind (2: its command line, 3: its config, as with a sync).
 */
export async function discoverCatalog(tap: ConnectorDefinition, configArgs: readonly string[], timeoutMs: number): Promise<Catalog> {
  const where = { connector: tap.name };
  const result = await runCommandToEnd(tap.command, [...configArgs, "--discover"], { cwd: tap.cwd, env: tap.env, timeoutMs });
  if (result.spawnError !== undefined) {
    throw new ConfigError(RunnerCodes.CONNECTOR_NOT_FOUND, `could not start the tap for --discover (${result.spawnError})`, {
      where,
      hint: "Check its command in pipelines.toml: is it installed and on PATH?",
    });
  }
  if (result.timedOut) {
    throw new FatalError(RunnerCodes.CONNECTOR_HUNG, `the tap's --discover did not finish within ${Math.round(timeoutMs / 1000)} s`, {
      where,
      hint: "Raise idle_timeout_seconds if discovery is just slow, or check the source.",
    });
  }
  if (result.exitCode !== 0) {
    const ending = result.exitCode === undefined ? `was killed by ${String(result.signal)}` : `exited with code ${result.exitCode}`;
    const message = `the tap's --discover ${ending}; it said: ${saidOnStderr(result.stderr)}`;
    if (result.exitCode === 2)
      throw new UsageError(RunnerCodes.CONNECTOR_USAGE, message, { where, hint: "Its command line is wrong: check its command and args in pipelines.toml." });
    if (result.exitCode === 3)
      throw new ConfigError(RunnerCodes.CONNECTOR_CONFIG_INVALID, message, {
        where,
        hint: "Its config is missing or invalid: fix what it reports, then run again.",
      });
    throw new FatalError(RunnerCodes.DISCOVERY_FAILED, message, { where, hint: "Fix what it reports; the catalog cached before (if any) is kept." });
  }
  let value: unknown;
  try {
    value = JSON.parse(result.stdout);
  } catch (error) {
    throw new FatalError(RunnerCodes.DISCOVERY_FAILED, `the tap's --discover printed no JSON catalog (${(error as Error).message})`, {
      where,
      hint: "A tap's --discover must print one catalog as JSON on stdout, and log to stderr.",
    });
  }
  const problems = findCatalogProblems(value);
  if (problems.length > 0) {
    throw new FatalError(
      RunnerCodes.DISCOVERY_FAILED,
      `the tap's --discover printed a catalog that is not valid: ${problems[0] ?? ""}${problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : ""}`,
      {
        where,
        hint: 'Fix the tap\'s discovery, or give the pipeline a catalog file of your own (catalog = "...").',
      },
    );
  }
  return normalizeCatalog(value);
}
