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
  readonly schedule?: Record<string, unknown>;
}

/** A loaded pipelines.toml. */
export interface Project {
  /** The file it came from, and its folder (relative paths in it are relative to that folder). */
  readonly file: string;
  readonly dir: string;
  readonly stateStore: string;
  readonly connectors: Readonly<Record<string, ConnectorEntry>>;
  readonly pipelines: Readonly<Record<string, PipelineEntry>>;
}
