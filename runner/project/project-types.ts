import type { MiddlewareSpec } from "../middleware/types.js";

export interface ConnectorEntry {
  readonly command: string;
  readonly args?: string[];
  readonly config?: Record<string, unknown>;
  readonly config_file?: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

export interface PipelineEntry {
  readonly tap: string | ConnectorEntry;
  readonly target?: string | ConnectorEntry;
  readonly targets?: Array<string | ConnectorEntry>;
  readonly middleware?: MiddlewareSpec[];
  readonly on_error?: "dlq" | "fail" | "skip";
  readonly validate?: boolean;
  readonly idle_timeout_seconds?: number;
  readonly max_records?: number;
  readonly concurrency?: number;
  readonly schedule?: ScheduleEntry;
}

export interface ScheduleEntry {
  readonly every?: string | number;
  readonly cron?: string;
  readonly timezone?: string;
  readonly continuous?: boolean;
  readonly once?: boolean;
  readonly max_consecutive_errors?: number;
  readonly error_backoff_seconds?: number;
  readonly error_backoff_max_seconds?: number;
}

export interface WorkerEntry {
  readonly concurrency?: number;
  readonly health_port?: number;
  readonly health_host?: string;
  readonly graceful_shutdown_timeout_seconds?: number;
  readonly lease_seconds?: number;
}

/** A loaded pipelines.toml. */
export interface Project {
  /** The file it came from, and its folder (relative paths in it are relative to that folder). */
  readonly file: string;
  readonly dir: string;
  readonly stateStore: string;
  readonly connectors: Readonly<Record<string, ConnectorEntry>>;
  readonly pipelines: Readonly<Record<string, PipelineEntry>>;
  readonly worker: WorkerEntry;
}
