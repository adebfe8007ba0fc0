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
          schedule: { type: "object" },
        },
      },
    },
  },
} as const;
