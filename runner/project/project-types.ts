import type { FromSchema } from "json-schema-to-ts";
import type { PROJECT_SCHEMA } from "./project-schema.js";

/**
 * A pipelines.toml as loaded: the types derive from PROJECT_SCHEMA, with
 * every setting that has a `default` there filled in (load-project.ts
 * applies them), so no code keeps a fallback of its own.
 */
export type ProjectFile = FromSchema<typeof PROJECT_SCHEMA>;
export type PipelineEntry = ProjectFile["pipelines"][string];
export type ConnectorEntry = ProjectFile["connectors"][string];
export type WorkerEntry = ProjectFile["worker"];
export type ScheduleEntry = NonNullable<PipelineEntry["schedule"]>;

/** A loaded pipelines.toml. */
export interface Project {
  /** The file it came from, and its folder (relative paths in it are relative to that folder). */
  readonly file: string;
  readonly dir: string;
  /** The state store's location, resolved against the folder. */
  readonly stateStore: string;
  readonly connectors: Readonly<Record<string, ConnectorEntry>>;
  readonly pipelines: Readonly<Record<string, PipelineEntry>>;
  readonly worker: WorkerEntry;
  /** The environment chosen (--environment, AGORA_ENVIRONMENT, default_environment), whose settings are merged in. */
  readonly environment?: string | undefined;
  /** Variables .env and the environment's `env` define (the environment's win); for `${VAR}`, the process's own environment wins over both. */
  readonly variables?: Readonly<Record<string, string>>;
  /** Variables connectors are given besides the process's environment: from .env and the environment's `env`. */
  readonly connectorEnv?: Readonly<Record<string, string>>;
}
