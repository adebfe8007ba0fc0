import { Command } from "commander";
import { maskSecrets, registerConfigSecrets, stringifyJson, UsageError } from "../../../protocol/index.js";
import { cachedAbout } from "../../connector/about-cache.js";
import { RunnerCodes } from "../../errors.js";
import { setConnectorConfig } from "../../project/edit-project-file.js";
import { loadProject } from "../../project/load-project.js";
import { requireConnector } from "../../project/require-connector.js";
import { resolveConnector } from "../../project/resolve-pipeline.js";
import { rotatedConfigFile } from "../../project/rotated-config.js";
import { projectStore, requireProject, writeOut, type CommonOptions } from "../cli-context.js";
import { existsSync } from "node:fs";

/** A setting's value as typed: JSON when it reads as JSON (`5`, `true`, `["a"]`, `"quoted"`), else the text itself. */
function typedValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * `agora config NAME`: the connector's config as a run would hand it (the
 * environment's settings, .env and `${VAR}`, a rotated config applied),
 * secrets masked; `agora config NAME set KEY VALUE` edits pipelines.toml.
 */
export function configCommand(common: () => CommonOptions): Command {
  return new Command("config")
    .argument("<connector>", "a connector of [connectors]")
    .argument("[action]", "set: change a setting of its config in pipelines.toml")
    .argument("[key]")
    .argument("[value]", 'JSON (5, true, ["a"]) or text')
    .description("print a connector's effective config, secrets masked; or `set KEY VALUE` in pipelines.toml, keeping its comments")
    .action(async (name: string, action: string | undefined, key: string | undefined, value: string | undefined) => {
      const options = common();
      const project = requireProject(options);
      requireConnector(project, name);
      if (action !== undefined) {
        if (action !== "set" || key === undefined || value === undefined)
          throw new UsageError(RunnerCodes.USAGE, `agora config ${name} takes no "${action}"${action === "set" ? " without KEY and VALUE" : ""}`, {
            hint: `Run \`agora config ${name}\` to see its config, or \`agora config ${name} set KEY VALUE\`.`,
          });
        setConnectorConfig(project.file, name, key, typedValue(value));
        loadProject(project.file, { environment: options.environment });
        process.stderr.write(`set ${name}'s config ${key} in ${project.file}\n`);
        return;
      }
      const connector = resolveConnector(project, name, `connectors.${name}`);
      const store = projectStore(options, project);
      try {
        const about = await cachedAbout(connector, store);
        registerConfigSecrets(connector.config, about?.settings);
      } finally {
        await store.close();
      }
      const from = [
        `command ${connector.command}`,
        project.environment === undefined ? "no environment" : `environment ${project.environment}`,
        Object.keys(project.connectorEnv ?? {}).length === 0
          ? ""
          : `variables from .env or the environment: ${Object.keys(project.connectorEnv ?? {}).join(", ")}`,
        existsSync(rotatedConfigFile(project.dir, name)) ? `settings it rotated: ${rotatedConfigFile(project.dir, name)}` : "",
      ].filter((part) => part !== "");
      process.stderr.write(`connector ${name}: ${from.join("; ")}\n`);
      await writeOut(`${maskSecrets(stringifyJson(connector.config ?? {}, 2))}\n`);
    });
}
