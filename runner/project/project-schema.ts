/** The JSON Schema a parsed pipelines.toml must match. Its descriptions document the file. */

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
  },
} as const;

const connectorReference = { oneOf: [{ type: "string", minLength: 1 }, connector] };

const middleware = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string", minLength: 1 } },
} as const;

export const PROJECT_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    state_store: { type: "string", description: "The runner's SQLite state store (checkpoints, runs, DLQ). Default .agora/state.db." },
    connectors: { type: "object", additionalProperties: connector },
    worker: {
      type: "object",
      additionalProperties: false,
      properties: {
        concurrency: { type: "integer", minimum: 1, description: "Pipelines running at once (default 4)." },
        health_port: { type: "integer", minimum: 0, maximum: 65535, description: "Serve /health, /ready and /metrics on this port (none by default)." },
        health_host: { type: "string", description: "Address to bind (default 127.0.0.1)." },
        graceful_shutdown_timeout_seconds: { type: "number", minimum: 0, description: "On SIGINT/SIGTERM, let runs finish this long before stopping them (default 30)." },
        lease_seconds: { type: "number", exclusiveMinimum: 0, description: "A pipeline's lease in the state store; expires this long after its holder dies (default 60)." },
      },
    },
    pipelines: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["tap"],
        properties: {
          tap: connectorReference,
          target: connectorReference,
          targets: { type: "array", minItems: 1, items: connectorReference },
          middleware: { type: "array", items: middleware },
          on_error: { enum: ["dlq", "fail", "skip"] },
          validate: { type: "boolean" },
          idle_timeout_seconds: { type: "number", exclusiveMinimum: 0 },
          max_records: { type: "integer", minimum: 1 },
          concurrency: { type: "integer", minimum: 1 },
          schedule: {
            type: "object",
            additionalProperties: false,
            properties: {
              every: { type: ["string", "number"], description: 'Run every N: "30s", "5m", "2h" (counted from the end of the previous run).' },
              cron: { type: "string", description: 'A cron expression: "0 */6 * * *".' },
              timezone: { type: "string", description: "Time zone for cron (default: the machine's)." },
              continuous: { type: "boolean", description: "Run again as soon as a run ends." },
              once: { type: "boolean", description: "Run once, then stop." },
              max_consecutive_errors: { type: "integer", minimum: 1, description: "Stop scheduling after this many failed runs in a row (default 5)." },
              error_backoff_seconds: { type: "number", exclusiveMinimum: 0, description: "Wait after a failure, doubled each time (default 30)." },
              error_backoff_max_seconds: { type: "number", exclusiveMinimum: 0, description: "Longest wait after failures (default 3600)." },
            },
          },
        },
      },
    },
  },
} as const;
