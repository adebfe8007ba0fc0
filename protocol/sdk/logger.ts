/** Logs go to stderr, one line each; stdout carries only protocol messages. */

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  readonly level: LogLevel;
}

export function createLogger(name: string, level: LogLevel = "info", sink: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = RANK[level];
  const emit = (messageLevel: Exclude<LogLevel, "silent">, message: string): void => {
    if (RANK[messageLevel] < threshold) return;
    sink(`${name} ${messageLevel}: ${message}\n`);
  };
  return {
    level,
    debug: (message) => emit("debug", message),
    info: (message) => emit("info", message),
    warn: (message) => emit("warn", message),
    error: (message) => emit("error", message),
  };
}
