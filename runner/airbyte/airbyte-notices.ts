/**
 * What an Airbyte connector tells the run besides its data (LOG, TRACE
 * ESTIMATE and STREAM_STATUS, CONTROL): the port the translators write to.
 * A run implements it (run-notices.ts); `agora test` keeps what it hears.
 */
export interface AirbyteNotices {
  /** A LOG message (or a stdout line that is no message, at INFO). */
  log(level: string, message: string): void;
  /** A TRACE ESTIMATE: rows expected from one stream, or from the whole sync (stream undefined). */
  estimate(stream: string | undefined, rows: number): void;
  /** A TRACE STREAM_STATUS: STARTED, RUNNING, COMPLETE or INCOMPLETE, with reasons (RATE_LIMITED). */
  streamStatus(stream: string, status: string, reasons: readonly string[]): void;
  /** A CONTROL CONNECTOR_CONFIG: the connector's new config, to persist for its next run. */
  configChanged(config: Readonly<Record<string, unknown>>): void;
}
