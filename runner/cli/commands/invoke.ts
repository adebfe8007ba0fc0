import { rmSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { ConfigError, registerConfigSecrets, UsageError } from "../../../protocol/index.js";
import { airbyteArgs, speaksAirbyte } from "../../airbyte/airbyte-commands.js";
import { argsWithConfig } from "../../connector/connector-config.js";
import { RunnerCodes } from "../../errors.js";
import { requireInstalled } from "../../install/require-installed.js";
import { requireConnector } from "../../project/require-connector.js";
import { resolveConnector, resolvePipeline } from "../../project/resolve-pipeline.js";
import { privateDir } from "../../process/private-dir.js";
import { runOnTerminal } from "../../process/spawn-command.js";
import { projectStore, requireProject, loggerFor, type CommonOptions } from "../cli-context.js";

/** The Airbyte protocol's subcommands. */
const AIRBYTE_SUBCOMMANDS = new Set(["spec", "check", "discover", "read", "write"]);

/** Flags that ask a connector about itself: no catalog or state goes with them. */
const ASKING = new Set(["--about", "--discover", "--test_connection", "--help", "-h", "--version", "spec", "check", "discover"]);

/**
 * `agora invoke NAME -- ARGS`: one connector, run by hand with what a run
 * would hand it: its config (the environment's settings, .env, `${VAR}` and
 * a rotated config applied) in a private file, its installed executables
 * first; with `--pipeline P` for the pipeline's tap, a sync also gets the
 * pipeline's catalog and checkpoint, exactly as `agora run` plans them.
 * Its stdin, stdout and stderr are this terminal's.
 */
export function invokeCommand(common: () => CommonOptions, done: (code: number) => Promise<void>): Command {
  return new Command("invoke")
    .argument("<connector>", "a connector of [connectors]")
    .argument("[args...]", "its arguments, after --")
    .option("--pipeline <name>", "the pipeline whose catalog and checkpoint a sync of its tap gets")
    .description("run one connector with the config (and, with --pipeline, the catalog and state) a pipeline would hand it")
    .action(async (name: string, args: string[], options: { pipeline?: string }) => {
      const shared = common();
      const project = requireProject(shared);
      requireConnector(project, name);
      const connector = resolveConnector(project, name, `connectors.${name}`);
      requireInstalled([connector]);
      registerConfigSecrets(connector.config);
      const dir = privateDir(join(project.dir, ".agora", "runs"), "invoke");
      try {
        let launchArgs = argsWithConfig(connector, dir);
        if (options.pipeline !== undefined && !args.some((arg) => ASKING.has(arg))) {
          const definition = resolvePipeline(project, options.pipeline);
          if (definition.tap.name !== name)
            throw new UsageError(RunnerCodes.USAGE, `${name} is not the tap of pipeline ${options.pipeline} (${definition.tap.name} is)`, {
              hint: "--pipeline gives a tap its pipeline's catalog and checkpoint; leave it out for other connectors.",
            });
          const { prepareTap } = await import("../../pipeline/tap-launch.js");
          const store = projectStore(shared, project);
          try {
            const saved = await store.getCheckpoint(options.pipeline);
            launchArgs = (await prepareTap(definition, { store, logger: loggerFor(shared), workDir: dir, saved })).args;
          } finally {
            await store.close();
          }
        }
        // An Airbyte connector takes its subcommand first: `invoke source -- discover` runs `source-x discover --config FILE`.
        const [subcommand, ...rest] = args;
        const airbyte =
          subcommand !== undefined && AIRBYTE_SUBCOMMANDS.has(subcommand) && speaksAirbyte(connector, subcommand === "write" ? "destination-" : "source-");
        const words = airbyte
          ? subcommand === "spec"
            ? [...connector.args, "spec", ...rest]
            : [...airbyteArgs(connector, subcommand, launchArgs), ...rest]
          : [...launchArgs, ...args];
        const result = await runOnTerminal(connector.command, words, { cwd: connector.cwd, env: connector.env });
        if (result.spawnError !== undefined) {
          throw new ConfigError(RunnerCodes.CONNECTOR_NOT_FOUND, `could not start ${name} (${result.spawnError})`, {
            where: { connector: name },
            hint: "Check its command in pipelines.toml: is it installed and on PATH?",
          });
        }
        await done(result.exitCode ?? 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
}
