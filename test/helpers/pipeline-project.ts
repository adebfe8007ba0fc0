import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "smol-toml";

/*
 * Projects for tests, written from values instead of TOML text: a test says what its pipeline is
 * (tap, targets, error policy, any other setting by its TOML name) and the builder writes a valid
 * pipelines.toml for it. Tests whose subject is the file's text itself (a syntax error, a setting
 * named on its line) keep writing that text with projectIn.
 */

/** A connector as a pipeline names it: a [connectors] name or a command line, or a table (command, config, …). */
export type ConnectorSpec = string | { readonly command: string; readonly config?: Readonly<Record<string, unknown>>; readonly [setting: string]: unknown };

export interface PipelineSpec {
  readonly tap: ConnectorSpec;
  /** One target, or several with `targets`. */
  readonly target?: ConnectorSpec;
  readonly targets?: ReadonlyArray<ConnectorSpec | Readonly<Record<string, unknown>>>;
  readonly onError?: "dlq" | "skip" | "fail";
  /** Any other setting of the pipeline, by its name in pipelines.toml (schedule, middleware, schema, batch_config…). */
  readonly [setting: string]: unknown;
}

export interface ProjectSpec {
  readonly pipelines: Readonly<Record<string, PipelineSpec>>;
  readonly connectors?: Readonly<Record<string, ConnectorSpec>>;
  /** Top-level settings and tables (state_store, worker, …), by their names in pipelines.toml. */
  readonly [setting: string]: unknown;
}

/** The pipeline's settings as pipelines.toml names them. */
function tomlPipeline({ onError, ...settings }: PipelineSpec): Record<string, unknown> {
  return { ...settings, ...(onError === undefined ? {} : { on_error: onError }) };
}

/** Writes `dir`/pipelines.toml for a whole project; returns `dir`. */
export function writeProject(dir: string, project: ProjectSpec): string {
  const { pipelines, ...rest } = project;
  const value = { ...rest, pipelines: Object.fromEntries(Object.entries(pipelines).map(([name, pipeline]) => [name, tomlPipeline(pipeline)])) };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pipelines.toml"), stringify(value));
  return dir;
}

/** Writes `dir`/pipelines.toml holding one pipeline (named `p` unless said); returns `dir`. */
export function pipelineProject(dir: string, pipeline: PipelineSpec, name = "p"): string {
  return writeProject(dir, { pipelines: { [name]: pipeline } });
}
