import type { Logger } from "../../protocol/index.js";
import { argsWithConfig } from "../connector/connector-config.js";
import type { ConnectorDefinition, PipelineDefinition } from "../definition.js";
import { ConnectorProcess, type Connector } from "../process/connector-process.js";
import { AirbyteDestination } from "./airbyte-destination.js";
import { speaksAirbyte } from "./airbyte-commands.js";
import { DestinationTranslator } from "./destination-translator.js";
import { RunNotices } from "./run-notices.js";

/**
 * Starts one target of a run, its config written (0600) into `workDir`: a
 * Singer process asked for DEAD_LETTERs (AGORA_DEAD_LETTER=1), or an
 * Airbyte destination behind its translator.
 */
export function startTarget(
  target: ConnectorDefinition,
  workDir: string,
  pipeline: Pick<PipelineDefinition, "name" | "projectDir">,
  logger: Logger,
): Connector {
  const configArgs = argsWithConfig(target, workDir);
  if (!speaksAirbyte(target, "destination-"))
    return new ConnectorProcess({ ...target, role: "target", args: configArgs, env: { ...target.env, AGORA_DEAD_LETTER: "1" } });
  const notices = new RunNotices(target, { pipeline: pipeline.name, projectDir: pipeline.projectDir, logger });
  return new AirbyteDestination({ ...target, args: target.args }, configArgs, workDir, new DestinationTranslator(target.name, notices));
}
