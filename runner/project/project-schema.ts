/**
 * The JSON Schema a parsed pipelines.toml must match: the one source of
 * truth for its settings. Its `default`s are applied when the file is
 * loaded, the TypeScript types derive from it (project-types.ts), and the
 * settings table of docs/runner.md is generated from it.
 */

/** Catalog settings: on a pipeline, or on a tap connector (the pipeline's win, each key apart). */
const catalogSettings = {
  select: {
    type: "array",
    items: { type: "string", minLength: 1 },
    description:
      'Streams and properties to sync, as Meltano patterns: `"orders.*"`, `"customers.email"`, `"!customers.internal_*"` (see Catalogs below). Default: everything.',
  },
  metadata: {
    type: "object",
    additionalProperties: { type: "object" },
    description:
      'Catalog metadata by stream (globs allowed): `{ orders = { replication-method = "INCREMENTAL", replication-key = "updated_at" } }`; a table sets a property\'s.',
  },
  schema: {
    type: "object",
    additionalProperties: { type: "object", additionalProperties: { type: "object" } },
    description: 'JSON Schema overrides by stream and property: `{ orders = { amount = { type = ["number", "null"] } } }`.',
  },
} as const;

const connector = {
  type: "object",
  additionalProperties: false,
  required: ["command"],
  properties: {
    command: { type: "string", minLength: 1, description: "Command line: one of ours (tap-csv) or any executable (python3 tap.py)." },
    args: { type: "array", items: { type: "string" }, description: "Extra arguments." },
    config: { type: "object", description: "Config, written to a private temp file and passed as --config." },
    config_file: { type: "string", description: "A config file; merged under `config` when both are given." },
    env: { type: "object", additionalProperties: { type: "string" }, description: "Environment variables." },
    cwd: { type: "string", description: "Working directory (default: the project's)." },
    pip_url: {
      type: "string",
      minLength: 1,
      description:
        "Install it with pip into a virtualenv of its own (.agora/connectors/NAME/), as Meltano's pip_url: what `pip install` is given (`tap-x==1.2`, `git+https://…`, `--no-index ./my-tap`). `agora install` installs it; the runner then finds its executables first.",
    },
    npm: {
      type: "string",
      minLength: 1,
      description:
        "Install it with npm into a prefix of its own (.agora/connectors/NAME/): a package (`@scope/target-x@2`) or a tarball. `agora install` installs it.",
    },
    protocol: {
      enum: ["singer", "airbyte"],
      description:
        "The protocol the connector speaks. `airbyte`: an Airbyte source or destination (`source-x spec|check|discover|read`, `destination-x write`), bridged by the runner (docs/airbyte.md). Default: Singer; Airbyte for a target whose command is named `destination-*`, and for a tap named `source-*` that refuses --about and answers `spec` with a SPEC message.",
    },
    catalog_flag: {
      enum: ["catalog", "properties"],
      description:
        "How a tap takes its catalog: `--catalog`, or `--properties` for classic taps that read only that (singer-io's tap-postgres and tap-mysql). Default: what the tap's --about says, else `--catalog`.",
    },
    ...catalogSettings,
  },
} as const;

const connectorReference = { oneOf: [{ type: "string", minLength: 1 }, connector] } as const;

/** What one target of a pipeline receives: every STATE always, and only these streams and records. */
const routing = {
  streams: { type: "array", minItems: 1, items: { type: "string", minLength: 1 }, description: "Only these streams (names after renames; globs allowed)." },
  where: { type: "string", minLength: 1, description: "Only records for which this expression holds (the `filter` middleware's language)." },
} as const;

/** A target of `targets`: a connector name, an inline connector, or either with routing. */
const targetReference = {
  oneOf: [
    { type: "string", minLength: 1 },
    { ...connector, properties: { ...connector.properties, ...routing } },
    {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: { name: { type: "string", minLength: 1, description: "A name from [connectors]." }, ...routing },
    },
  ],
} as const;

const middleware = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string", minLength: 1 } },
} as const;

const schedule = {
  type: "object",
  additionalProperties: false,
  properties: {
    every: { type: ["string", "number"], description: 'Run every N: "30s", "5m", "2h" (counted from the end of the previous run).' },
    cron: { type: "string", description: 'A cron expression: "0 */6 * * *".' },
    timezone: { type: "string", description: "Time zone for cron (default: the machine's)." },
    continuous: { type: "boolean", description: "Run again as soon as a run ends." },
    once: { type: "boolean", description: "Run once, then stop." },
    max_consecutive_errors: { type: "integer", minimum: 1, default: 5, description: "Stop scheduling after this many failed runs in a row." },
    error_backoff_seconds: { type: "number", exclusiveMinimum: 0, default: 30, description: "Wait after a failure, doubled each time." },
    error_backoff_max_seconds: { type: "number", exclusiveMinimum: 0, default: 3600, description: "Longest wait after failures." },
  },
} as const;

const pipeline = {
  type: "object",
  additionalProperties: false,
  required: ["tap"],
  properties: {
    tap: { ...connectorReference, description: "The tap: a name from [connectors], or an inline table with its command." },
    target: { ...connectorReference, description: "The target (or use `targets` for several)." },
    targets: {
      type: "array",
      minItems: 1,
      items: targetReference,
      description:
        'Several targets: every record goes to each, unless routed: `{ name = "archive", streams = ["orders"], where = "amount > 100" }`. Every STATE goes to all; the checkpoint is what all confirmed.',
    },
    ...catalogSettings,
    catalog: {
      type: "string",
      minLength: 1,
      description: "A catalog file to start from instead of the tap's `--discover` (select, metadata and schema still apply).",
    },
    discover: {
      type: "boolean",
      default: true,
      description: "Run the tap's `--discover` (cached) and hand it the catalog, when it claims discovery. `false` runs it without a catalog.",
    },
    middleware: { type: "array", items: middleware, default: [], description: "Steps every record goes through, in order (see Middleware below)." },
    on_error: { enum: ["dlq", "fail", "skip"], default: "dlq", description: "A rejected record goes to the dead-letter queue, fails the run, or is skipped." },
    on_catalog_ignored: {
      enum: ["warn", "fail"],
      default: "warn",
      description:
        "A run whose tap was handed a catalog and sent nothing for any selected stream (not even a SCHEMA; a classic tap that reads only `--properties`, say) ends with a warning naming the likely cause, or fails (`fail`).",
    },
    schema_changes: {
      enum: ["evolve", "freeze", "discard_row", "discard_value"],
      default: "evolve",
      description:
        'What a run does with columns the source gained since its catalog was made: load them and add them to the cached catalog (`evolve`), stop before loading the stream (`freeze`), reject the rows that have a value in one under `on_error` (`discard_row`), or leave them out (`discard_value`). See "When the source changes" in docs/runner.md.',
    },
    validate: { type: "boolean", default: true, description: "Validate records against their SCHEMA in the runner." },
    idle_timeout_seconds: { type: "number", exclusiveMinimum: 0, default: 300, description: "Fail a connector that shows no progress for this long." },
    max_records: { type: "integer", minimum: 1, description: "Stop after this many records, with a consistent checkpoint." },
    resume: {
      type: "boolean",
      default: true,
      description:
        "Hand the tap the saved checkpoint as `--state`. `false` for a tap that does not take `--state` (it then starts from the beginning every run; checkpoints are still kept).",
    },
    batch_roots: {
      type: "array",
      items: { type: "string", minLength: 1 },
      description:
        "Folders the files a tap's BATCH messages name may be in (relative to the project); a manifest naming a file elsewhere, or a link leading out, is refused. Default: the system temporary folder (where our taps write them) and the project's folder.",
    },
    max_state_bytes: {
      type: "integer",
      minimum: 1024,
      default: 16777216,
      description:
        "Largest STATE message accepted from the tap, in bytes (16 MiB by default): the runner keeps each STATE until every target confirms it, so a larger one fails the run in one line (STATE_TOO_LARGE).",
    },
    max_line_bytes: {
      type: "integer",
      minimum: 1024,
      default: 67108864,
      description: "Longest message line accepted from the tap, in bytes (64 MiB by default).",
    },
    concurrency: {
      type: "integer",
      minimum: 1,
      default: 64,
      description: "Records async middleware may have in flight at once (results still go out in order).",
    },
    schedule: { ...schedule, description: "When `agora worker` runs it (see docs/worker.md)." },
  },
} as const;

const worker = {
  type: "object",
  additionalProperties: false,
  default: {},
  properties: {
    concurrency: { type: "integer", minimum: 1, default: 4, description: "Pipelines running at once." },
    health_port: { type: "integer", minimum: 0, maximum: 65535, description: "Serve /health, /ready and /metrics on this port (none by default)." },
    health_host: { type: "string", default: "127.0.0.1", description: "Address to bind." },
    console: {
      type: "boolean",
      default: true,
      description:
        "Serve the web console on the health port (docs/console.md): runs, charts, checkpoints, the plan and the dead-letter queue, behind a login with the health token.",
    },
    console_read_only: {
      type: "boolean",
      default: false,
      description: "The console shows everything but takes no action (no dead-letter edit, replay or purge).",
    },
    metrics_max_streams: {
      type: "integer",
      minimum: 1,
      default: 100,
      description:
        "Streams of a pipeline that get their own label in /metrics (the busiest first); the others are counted together as `(other)`, so thousands of streams cannot make a scrape unbounded.",
    },
    progress_interval_seconds: {
      type: "number",
      minimum: 0,
      default: 10,
      description: "Log a running pipeline's progress (records, rate, per stream) this often; 0: only its summary.",
    },
    graceful_shutdown_timeout_seconds: {
      type: "number",
      minimum: 0,
      default: 30,
      description: "On SIGINT/SIGTERM, let runs finish this long before stopping them.",
    },
    lease_seconds: {
      type: "number",
      exclusiveMinimum: 0,
      default: 60,
      description: "A pipeline's lease in the state store; expires this long after its holder dies.",
    },
  },
} as const;

/**
 * An environment: what replaces the project's settings while it is chosen.
 * Its connectors' and pipelines' tables are merged into the project's
 * (a `config` table key by key); what results is checked like the project.
 */
const environment = {
  type: "object",
  additionalProperties: false,
  properties: {
    state_store: { type: "string", minLength: 1, description: "The state store in this environment." },
    env: {
      type: "object",
      additionalProperties: { type: "string" },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the project file's syntax, shown to the user.
      description: "Environment variables for `${VAR}` in this environment (the process's own win; they win over .env).",
    },
    connectors: {
      type: "object",
      additionalProperties: { type: "object" },
      description: 'Settings of connectors, merged into theirs: `{ warehouse = { config = { database = "prod.db" } } }`.',
    },
    pipelines: {
      type: "object",
      additionalProperties: { type: "object" },
      description: 'Settings of pipelines, replacing theirs: `{ daily = { on_error = "fail" } }`.',
    },
  },
} as const;

export const PROJECT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    state_store: {
      type: "string",
      default: ".agora/state.db",
      description:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${PGPASSWORD} is the project file's syntax, shown to the user.
        "The runner's state store (checkpoints, runs, DLQ, leases, cached catalogs): a SQLite file relative to the project, or `postgres://user:${PGPASSWORD}@host:5432/db` (tables in schema `agora`, or `?schema=NAME`; each statement and connection bounded by `?timeout=SECONDS`, 30 by default) for several workers and hosts.",
    },
    connectors: { type: "object", default: {}, additionalProperties: connector, description: "Connectors by name, for pipelines to refer to." },
    worker: { ...worker, description: "`agora worker`'s settings." },
    pipelines: { type: "object", default: {}, additionalProperties: pipeline, description: "Pipelines by name." },
    environments: {
      type: "object",
      additionalProperties: environment,
      description:
        "Environments by name (`dev`, `prod`): settings that replace the project's while one is chosen with `--environment NAME` or `AGORA_ENVIRONMENT`.",
    },
    default_environment: { type: "string", minLength: 1, description: "The environment used when none is chosen." },
  },
} as const;

/** The schema of one pipeline and of one schedule, for the generated docs. */
export const PIPELINE_SCHEMA = pipeline;
export const SCHEDULE_SCHEMA = schedule;
export const WORKER_SCHEMA = worker;
export const TARGET_ROUTE_SCHEMA = routing;
