import type { MiddlewareSpec } from "./middleware/types.js";
import type { ConnectorLaunch } from "./process/connector-process.js";
import type { InstallSpec } from "./install/install-spec.js";

/**
 * What a pipeline is, resolved from pipelines.toml (or the command line)
 * and ready to run: its connectors, their routes, how its catalog is made,
 * its policies. Every part of the runner reads a run's settings from here.
 */

/** What to do with columns the source gained since the catalog was made (see catalog/schema-contract.ts). */
export type SchemaChangesPolicy = "evolve" | "freeze" | "discard_row" | "discard_value";

/** What to do with a record that fails validation, a middleware, or a target's write. */
export type ErrorPolicy = "dlq" | "fail" | "skip";

/** A connector of a pipeline: how to start it, and its config (written to a private temp file per run). */
export interface ConnectorDefinition extends Omit<ConnectorLaunch, "role" | "args"> {
  readonly args: readonly string[];
  /** Passed as `--config FILE`; undefined passes no --config. */
  readonly config: Readonly<Record<string, unknown>> | undefined;
  /** Where its config is written in pipelines.toml, for errors (the run's config file is gone by then). */
  readonly configOrigin?: SettingOrigin | undefined;
  /** How `agora install` installs it (pip_url or npm), and the project it is installed beside; undefined: found on PATH. */
  readonly install?: (InstallSpec & { readonly projectDir: string }) | undefined;
  /** The protocol it speaks, when the project says (`protocol`); else Singer, or what its --about probe found. */
  readonly protocol?: "singer" | "airbyte" | undefined;
  /** The flag a tap takes its catalog by, when the project says (catalog_flag); else --about decides. */
  readonly catalogFlag?: "--catalog" | "--properties" | undefined;
}

/** Which streams and records one target receives (every STATE always). Undefined parts mean "all". */
export interface TargetRoute {
  /** Stream names or globs, matched against the names targets see (after renames). */
  readonly streams: readonly string[] | undefined;
  /** An expression (the filter middleware's language) a record must satisfy. */
  readonly where: string | undefined;
}

/** A target of a pipeline: a connector, and what it is routed. */
export interface PipelineTarget extends ConnectorDefinition {
  readonly route: TargetRoute | undefined;
}

/** Where a setting was written, for errors: the project file and the key path of the table that holds it. */
export interface SettingOrigin {
  readonly file: string;
  readonly path: readonly string[];
}

/** How the runner gets the tap's catalog (see runner/catalog). */
export interface CatalogSettings {
  /** Run the tap's --discover (cached) when it claims discovery. */
  readonly discover: boolean;
  /** A catalog file to start from instead of discovering. */
  readonly file: string | undefined;
  readonly select: readonly string[] | undefined;
  readonly metadata: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
  readonly schema: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>> | undefined;
  /** Where select, metadata and schema were set (the pipeline, or its tap connector). */
  readonly origins: Readonly<Partial<Record<"select" | "metadata" | "schema", SettingOrigin>>>;
}

/** A pipeline, fully resolved: ready to run. */
export interface PipelineDefinition {
  readonly name: string;
  readonly tap: ConnectorDefinition;
  readonly targets: readonly PipelineTarget[];
  readonly catalog: CatalogSettings;
  readonly middleware: readonly MiddlewareSpec[];
  /** Validate records against their SCHEMA in the runner. Default true. */
  readonly validate: boolean;
  readonly onError: ErrorPolicy;
  /** A tap handed a catalog that sent nothing for any selected stream: warn, or fail the run. */
  readonly onCatalogIgnored: "warn" | "fail";
  /** What to do with columns the source gained since the catalog was made (see runner/catalog/schema-contract.ts). */
  readonly schemaChanges: SchemaChangesPolicy;
  /** Fail a connector that shows no sign of life for this long. */
  readonly idleTimeoutSeconds: number;
  /** Stop after this many records from the tap. */
  readonly maxRecords: number | undefined;
  /** Hand the tap the saved checkpoint as --state. */
  readonly resume: boolean;
  /** Records that async middleware may have in flight at once (results still go out in order). */
  readonly concurrency: number;
  /** Folders a BATCH manifest's files may be in (real paths, links resolved); others are refused. */
  readonly batchRoots: readonly string[];
  /** Largest STATE accepted from the tap, in bytes. */
  readonly maxStateBytes: number;
  /** Longest message line accepted from the tap. */
  readonly maxLineBytes: number;
  /** Directory the run's temporary files (configs, state) go in. */
  readonly workDir: string;
  /** The project's folder: middleware module paths are relative to it. */
  readonly projectDir: string;
}
