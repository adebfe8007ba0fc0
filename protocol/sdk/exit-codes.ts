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
} as const;

export function exitCodeFor(error: AgoraError): number {
  if (error instanceof UsageError) return ExitCodes.USAGE;
  if (error instanceof ConfigError) return ExitCodes.CONFIG;
  return ExitCodes.FAILURE;
}
