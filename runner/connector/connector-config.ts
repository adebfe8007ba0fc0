import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AgoraError } from "../../protocol/index.js";
import { settingLine } from "../project/setting-line.js";
import type { ConnectorDefinition } from "../definition.js";

/** Where a run writes the connector's config file, in its folder `dir`. */
export function configFileOf(connector: ConnectorDefinition, dir: string): string {
  return join(dir, `${connector.name.replace(/[^\w.-]/g, "_")}.config.json`);
}

let written = 0;

/**
 * The connector's args, plus `--config FILE` for its config written (mode
 * 0600) into `dir`. Written aside and renamed into place: a run writes the
 * file again for a probe (`--about`) while the connector it started first
 * may be reading it, and must never see it cut short.
 */
export function argsWithConfig(connector: ConnectorDefinition, dir: string): string[] {
  if (connector.config === undefined) return [...connector.args];
  const file = configFileOf(connector, dir);
  written += 1;
  const aside = `${file}.${process.pid}-${written}.tmp`;
  writeFileSync(aside, JSON.stringify(connector.config), { mode: 0o600 });
  renameSync(aside, file);
  return [...connector.args, "--config", file];
}

/**
 * A connector that rejects its config names the file it was given: the
 * run's temporary copy, gone once the run ends. The error names where the
 * config is written instead: pipelines.toml, its line and setting.
 */
export function namingConfigOrigins(error: AgoraError, connectors: readonly ConnectorDefinition[], dir: string): AgoraError {
  let result = error;
  for (const connector of connectors) {
    const origin = connector.configOrigin;
    const file = configFileOf(connector, dir);
    if (origin === undefined || !`${result.message} ${result.hint ?? ""}`.includes(file)) continue;
    const line = settingLine(origin.file, origin.path);
    const named = `${origin.file}${line === undefined ? "" : `, line ${line}`} (${origin.path.join(".")})`;
    result = result.withText((text) => text.replaceAll(file, named));
  }
  return result;
}
