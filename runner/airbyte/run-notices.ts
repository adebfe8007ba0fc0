import { registerConfigSecrets, type Logger } from "../../protocol/index.js";
import type { ConnectorDefinition } from "../definition.js";
import type { RunEvents } from "../pipeline/run-events.js";
import type { SourceNotes } from "../pipeline/source-notes.js";
import { changedKeys, rotatedConfigFile, saveRotatedConfig } from "../project/rotated-config.js";
import type { AirbyteNotices } from "./airbyte-notices.js";

/**
 * What a run does with an Airbyte connector's notices: LOG lines are the
 * connector's log (at their level), estimates feed the live progress,
 * stream statuses are said (INCOMPLETE as a warning, with its reasons),
 * and a new config (CONTROL) is kept for the connector's next runs
 * (see project/rotated-config.ts), its secrets masked from then on.
 */
export class RunNotices implements AirbyteNotices {
  constructor(
    private readonly connector: ConnectorDefinition,
    private readonly context: {
      readonly pipeline: string;
      readonly projectDir: string;
      readonly logger: Logger;
      readonly events?: RunEvents | undefined;
      /** Where a run keeps what the source said of its streams (undefined outside a run). */
      readonly notes?: SourceNotes | undefined;
      /** The connector's settings schema (its spec), whose airbyte_secret fields are masked. */
      readonly settings?: unknown;
    },
  ) {}

  log(level: string, message: string): void {
    const { logger } = this.context;
    const line = `${this.connector.name} | ${message}`;
    if (level === "DEBUG" || level === "TRACE") logger.debug(line);
    else if (level === "WARN" || level === "ERROR" || level === "FATAL") logger.warn(line);
    else logger.info(line);
  }

  estimate(stream: string | undefined, rows: number): void {
    this.context.logger.debug(
      `pipeline ${this.context.pipeline}: ${this.connector.name} expects about ${rows} records${stream === undefined ? "" : ` of ${stream}`}`,
    );
    this.context.events?.emit("estimate", stream, rows);
    if (stream !== undefined) this.context.notes?.estimate(stream, rows);
  }

  streamStatus(stream: string, status: string, reasons: readonly string[]): void {
    this.context.notes?.status(stream, status);
    const why = reasons.length === 0 ? "" : ` (${reasons.join(", ")})`;
    const line = `pipeline ${this.context.pipeline}: ${this.connector.name} says stream ${stream} is ${status}${why}`;
    if (status === "INCOMPLETE") this.context.logger.warn(line);
    else if (status === "COMPLETE" || reasons.length > 0) this.context.logger.info(line);
    else this.context.logger.debug(line);
  }

  configChanged(config: Readonly<Record<string, unknown>>): void {
    registerConfigSecrets(config, this.context.settings);
    const base = this.connector.config ?? {};
    saveRotatedConfig(this.context.projectDir, this.connector.name, base, config);
    const changed = changedKeys(base, config);
    this.context.logger.info(
      `pipeline ${this.context.pipeline}: ${this.connector.name} sent a new config (CONTROL CONNECTOR_CONFIG${changed.length === 0 ? "" : `: ${changed.join(", ")}`}); kept in ${rotatedConfigFile(this.context.projectDir, this.connector.name)} (mode 0600) for its next runs`,
    );
  }
}
