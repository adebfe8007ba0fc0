import type { JsonSchema } from "../messages/types.js";
import type { AboutInfo } from "./about.js";

/** A connector built on the SDK: its `--about` facts and its process entry point. */
export interface Connector {
  readonly about: AboutInfo;
  /** Runs the connector as a process with this command line (default: process.argv) and exits. */
  main(argv?: readonly string[], options?: ConnectorMainOptions): Promise<never>;
}

export interface ConnectorMainOptions {
  /**
   * A module with the settings schema compiled ahead of time
   * (settingsValidatorSource), used when it was written for these settings;
   * the build writes one beside each of our executables.
   */
  readonly compiledSettings?: URL;
}

/** Adds the SDK's own settings to an author's settings schema. */
export function withSdkSettings(settings: JsonSchema, sdkSettings: Record<string, JsonSchema>): JsonSchema {
  const properties = (settings["properties"] ?? {}) as Record<string, JsonSchema>;
  return { type: "object", ...settings, properties: { ...properties, ...sdkSettings } };
}

export function printAbout(about: AboutInfo, format: "json" | "markdown", render: (about: AboutInfo) => string): Promise<void> {
  const text = format === "markdown" ? render(about) : `${JSON.stringify(about, null, 2)}\n`;
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}
