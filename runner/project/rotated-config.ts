import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../protocol/index.js";
import { canonicalJson } from "../canonical-json.js";
import { RunnerCodes } from "../errors.js";
import { ensurePrivateFolder } from "../process/private-dir.js";

/**
 * A config a connector rotated: an Airbyte connector's CONTROL message
 * (CONNECTOR_CONFIG) carries its whole new config, typically a refreshed
 * OAuth token that the old one no longer buys. It is kept beside the
 * project (.agora/connector-config/NAME.json, mode 0600) with the config it
 * was made from, and every later run uses it: the settings the connector
 * changed come from the file, every other one from pipelines.toml, so an
 * edit of the project still applies.
 */

interface RotatedConfig {
  readonly savedAt: string;
  /** The config the connector was given when it sent the new one. */
  readonly base: Readonly<Record<string, unknown>>;
  readonly config: Readonly<Record<string, unknown>>;
}

/** The top-level settings `config` gives another value than `base` (or adds). */
export function changedKeys(base: Readonly<Record<string, unknown>>, config: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(config).filter((key) => canonicalJson(config[key]) !== canonicalJson(base[key]));
}

/** Where a connector's rotated config is kept. */
export function rotatedConfigFile(projectDir: string, connector: string): string {
  return join(projectDir, ".agora", "connector-config", `${connector.replace(/[^\w.-]/g, "_")}.json`);
}

/** Keeps `config`, sent by `connector` while it ran with `base`, for its next runs (written whole or not at all). */
export function saveRotatedConfig(
  projectDir: string,
  connector: string,
  base: Readonly<Record<string, unknown>>,
  config: Readonly<Record<string, unknown>>,
): void {
  const file = rotatedConfigFile(projectDir, connector);
  ensurePrivateFolder(join(projectDir, ".agora"));
  ensurePrivateFolder(join(projectDir, ".agora", "connector-config"));
  const saved: RotatedConfig = { savedAt: new Date().toISOString(), base: withoutRotation(base, projectDir, connector), config };
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = openSync(temporary, "w", 0o600);
  try {
    writeSync(handle, JSON.stringify(saved, null, 2));
    fsyncSync(handle);
  } finally {
    closeSync(handle);
  }
  renameSync(temporary, file);
}

/** The connector's config with the settings it rotated on an earlier run (none kept: `config` as it is). */
export function withRotatedConfig(
  projectDir: string,
  connector: string,
  config: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  const saved = readRotated(projectDir, connector);
  if (saved === undefined) return config;
  const changed = changedKeys(saved.base, saved.config);
  if (changed.length === 0) return config;
  return { ...config, ...Object.fromEntries(changed.map((key) => [key, saved.config[key]])) };
}

/** The config a run was given, without what an earlier rotation put in: the project's own, as the base of the next. */
function withoutRotation(config: Readonly<Record<string, unknown>>, projectDir: string, connector: string): Readonly<Record<string, unknown>> {
  const saved = readRotated(projectDir, connector);
  if (saved === undefined) return config;
  // The base stays the project's: a second rotation is still compared with what pipelines.toml says.
  const rotated = new Set(changedKeys(saved.base, saved.config));
  // Built from entries: a key named __proto__ (a hostile connector's CONTROL) stays a key, never a prototype.
  return Object.fromEntries([
    ...Object.entries(config).filter(([key]) => !rotated.has(key)),
    ...[...rotated].filter((key) => Object.hasOwn(saved.base, key)).map((key) => [key, saved.base[key]]),
  ]);
}

function readRotated(projectDir: string, connector: string): RotatedConfig | undefined {
  const file = rotatedConfigFile(projectDir, connector);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as RotatedConfig;
    if (typeof value.config === "object" && value.config !== null && typeof value.base === "object" && value.base !== null) return value;
  } catch {
    // Reported below.
  }
  throw new ConfigError(RunnerCodes.CONFIG_FILE_UNREADABLE, "the config this connector rotated on an earlier run cannot be read", {
    where: { file, connector },
    hint: "Delete the file to use the config in pipelines.toml (the connector may then need a new token).",
  });
}
