import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ConnectorDefinition } from "./types.js";

/** Where a run writes the connector's config file, in its folder `dir`. */
export function configFileOf(connector: ConnectorDefinition, dir: string): string {
  return join(dir, `${connector.name.replace(/[^\w.-]/g, "_")}.config.json`);
}

/** The connector's args, plus `--config FILE` for its config written (mode 0600) into `dir`. */
export function argsWithConfig(connector: ConnectorDefinition, dir: string): string[] {
  if (connector.config === undefined) return [...connector.args];
  const file = configFileOf(connector, dir);
  writeFileSync(file, JSON.stringify(connector.config), { mode: 0o600 });
  return [...connector.args, "--config", file];
}
