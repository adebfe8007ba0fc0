import { UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { Project } from "./project-types.js";

/** Refuses a name that is none of the project's [connectors], listing those there are (`agora config`, `invoke`, `install`). */
export function requireConnector(project: Pick<Project, "file" | "connectors">, name: string): void {
  if (Object.hasOwn(project.connectors, name)) return;
  throw new UsageError(RunnerCodes.CONNECTOR_NOT_FOUND, `the project has no connector "${name}"`, {
    where: { file: project.file },
    hint: `Connectors: ${Object.keys(project.connectors).join(", ") || "none"}. Add one with \`agora add tap|target NAME\`.`,
  });
}
