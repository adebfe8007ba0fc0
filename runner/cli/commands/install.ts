import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { Command, Option } from "commander";
import { stringify } from "smol-toml";
import { UsageError } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";
import { loadProject } from "../../project/load-project.js";
import { requireProject, type CommonOptions } from "../cli-context.js";

function said(outcome: { connector: string; spec: { kind: string; spec: string }; action: string }): void {
  process.stderr.write(`${outcome.connector}: ${outcome.action} (${outcome.spec.kind === "pip" ? "pip_url" : "npm"} ${outcome.spec.spec})\n`);
}

/** `agora install [NAME…]`: the project's connectors that say how to install them. */
export function installCommand(common: () => CommonOptions): Command {
  return new Command("install")
    .argument("[names...]", "only these connectors (default: every one with pip_url or npm)")
    .option("--force", "install again even what is up to date")
    .description("install the connectors that have pip_url (a virtualenv each) or npm (a prefix each) under .agora/connectors/, and write agora-lock.json")
    .action(async (names: string[], options: { force?: boolean }) => {
      const project = requireProject(common());
      const { installProject } = await import("../../install/install-project.js");
      const outcomes = await installProject(project, names, options.force === true, said);
      if (outcomes.length === 0) process.stderr.write("nothing to install: no connector has pip_url or npm\n");
    });
}

/** `agora add tap|target NAME`: a [connectors] table written into pipelines.toml (its comments kept), then installed. */
export function addCommand(common: () => CommonOptions): Command {
  return new Command("add")
    .addArgument(new Command().createArgument("<role>", "tap or target").choices(["tap", "target"]))
    .argument("<name>", "the connector's name in the project (and its command, unless --command)")
    .option("--command <command>", "its command line (default: NAME)")
    .option("--pip-url <spec>", "install it with pip: what `pip install` is given")
    .option("--npm <spec>", "install it with npm: a package or a tarball")
    .addOption(new Option("--protocol <protocol>", "the protocol it speaks").choices(["singer", "airbyte"]))
    .option("--no-install", "only write the table")
    .description("add a connector to pipelines.toml ([connectors.NAME]) and install it")
    .action(async (role: string, name: string, options: { command?: string; pipUrl?: string; npm?: string; protocol?: string; install: boolean }) => {
      const project = requireProject(common());
      if (project.connectors[name] !== undefined)
        throw new UsageError(RunnerCodes.USAGE, `the project already has a connector "${name}"`, {
          where: { file: project.file },
          hint: "Edit its table in pipelines.toml, or choose another name.",
        });
      if (options.pipUrl !== undefined && options.npm !== undefined)
        throw new UsageError(RunnerCodes.USAGE, "give --pip-url or --npm, not both", { hint: "A connector is installed one way." });
      const table = {
        command: options.command ?? name,
        ...(options.pipUrl === undefined ? {} : { pip_url: options.pipUrl }),
        ...(options.npm === undefined ? {} : { npm: options.npm }),
        ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
      };
      const before = readFileSync(project.file, "utf8");
      appendFileSync(project.file, `${before.endsWith("\n") || before === "" ? "" : "\n"}\n${stringify({ connectors: { [name]: table } })}\n`);
      let updated;
      try {
        updated = loadProject(project.file);
      } catch (error) {
        writeFileSync(project.file, before);
        throw error;
      }
      process.stderr.write(`added [connectors.${name}] to ${project.file}; use it in a pipeline as ${role} = "${name}"\n`);
      if (!options.install || (options.pipUrl === undefined && options.npm === undefined)) return;
      const { installProject } = await import("../../install/install-project.js");
      await installProject(updated, [name], false, said);
    });
}
