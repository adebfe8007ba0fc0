import { ConfigError, UsageError, type AgoraError } from "../errors.js";

/** Exit codes of every connector built on the SDK. */
export const ExitCodes = {
  OK: 0,
  /** The run failed: bad input, an unreachable source, a full disk. */
  FAILURE: 1,
  /** The command line is wrong. */
  USAGE: 2,
  /** A config, catalog or state file is missing or invalid. */
  CONFIG: 3,
  /** Stopped by SIGINT (128 + 2), after writing what it could. */
  SIGINT: 130,
  /** Stopped by SIGTERM (128 + 15), after writing what it could. */
  SIGTERM: 143,
} as const;

/** The exit code of a process stopped by `signal`: 130 for SIGINT, 143 for SIGTERM (and for any other). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? ExitCodes.SIGINT : ExitCodes.SIGTERM;
}

export function exitCodeFor(error: AgoraError): number {
  if (error instanceof UsageError) return ExitCodes.USAGE;
  if (error instanceof ConfigError) return ExitCodes.CONFIG;
  return ExitCodes.FAILURE;
}
