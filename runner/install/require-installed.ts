import { ConfigError } from "../../protocol/index.js";
import type { ConnectorDefinition } from "../definition.js";
import { RunnerCodes } from "../errors.js";
import { installedEntry } from "./install-spec.js";

/**
 * A connector the project says to install (pip_url, npm) must be installed,
 * from the spec the project says now, before a run starts it: otherwise
 * the run would start whatever is on PATH, or nothing.
 */
export function requireInstalled(connectors: readonly ConnectorDefinition[]): void {
  for (const connector of connectors) {
    const install = connector.install;
    if (install === undefined) continue;
    const installed = installedEntry(install.projectDir, connector.name);
    const setting = install.kind === "pip" ? "pip_url" : "npm";
    if (installed !== undefined && installed.kind === install.kind && installed.spec === install.spec) continue;
    throw new ConfigError(
      RunnerCodes.CONNECTOR_NOT_INSTALLED,
      installed === undefined
        ? `${connector.name} is not installed (it has ${setting} = "${install.spec}")`
        : `${connector.name} was installed from ${installed.kind === "pip" ? "pip_url" : "npm"} = "${installed.spec}", and the project now says ${setting} = "${install.spec}"`,
      { where: { connector: connector.name }, hint: `Run \`agora install ${connector.name}\`.` },
    );
  }
}
