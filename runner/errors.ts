/** Error codes of the runner. Stable: decisions and tests read these, never message text. */
export const RunnerCodes = {
  PROJECT_NOT_FOUND: "PROJECT_NOT_FOUND",
  /** An Airbyte connector wrote something the Airbyte protocol does not allow. */
  AIRBYTE_PROTOCOL: "AIRBYTE_PROTOCOL",
  /** An Airbyte connector's TRACE ERROR, by its failure_type. */
  AIRBYTE_CONFIG_ERROR: "AIRBYTE_CONFIG_ERROR",
  AIRBYTE_TRANSIENT_ERROR: "AIRBYTE_TRANSIENT_ERROR",
  AIRBYTE_SYSTEM_ERROR: "AIRBYTE_SYSTEM_ERROR",
  /** An environment (--environment, AGORA_ENVIRONMENT, default_environment) the project does not have, or one naming what it lacks. */
  ENVIRONMENT_NOT_FOUND: "ENVIRONMENT_NOT_FOUND",
  /** `agora install` could not install a connector. */
  INSTALL_FAILED: "INSTALL_FAILED",
  /** A connector with pip_url or npm has not been installed (or its setting changed since). */
  CONNECTOR_NOT_INSTALLED: "CONNECTOR_NOT_INSTALLED",
  /** The saved checkpoint of an Airbyte source is not the state array it takes. */
  AIRBYTE_STATE_INVALID: "AIRBYTE_STATE_INVALID",
  PROJECT_INVALID: "PROJECT_INVALID",
  PIPELINE_NOT_FOUND: "PIPELINE_NOT_FOUND",
  CONNECTOR_NOT_FOUND: "CONNECTOR_NOT_FOUND",
  CONNECTOR_FAILED: "CONNECTOR_FAILED",
  /** A connector exited 2: its command line is wrong. */
  CONNECTOR_USAGE: "CONNECTOR_USAGE",
  /** A connector exited 3: its config (or catalog, or state) is missing or invalid. */
  CONNECTOR_CONFIG_INVALID: "CONNECTOR_CONFIG_INVALID",
  CONNECTOR_KILLED: "CONNECTOR_KILLED",
  CONNECTOR_HUNG: "CONNECTOR_HUNG",
  TARGET_CLOSED_INPUT: "TARGET_CLOSED_INPUT",
  RECORD_REJECTED: "RECORD_REJECTED",
  RUN_INTERRUPTED: "RUN_INTERRUPTED",
  /** A run left "running" by a runner that died. */
  RUN_ABANDONED: "RUN_ABANDONED",
  PIPELINE_BUSY: "PIPELINE_BUSY",
  /** A run's write refused: the pipeline's lease moved on to another process. */
  LEASE_LOST: "LEASE_LOST",
  /** A tap's --discover failed or printed no usable catalog. */
  DISCOVERY_FAILED: "DISCOVERY_FAILED",
  /** select, metadata or schema name what the catalog does not have. */
  CATALOG_OVERRIDE_INVALID: "CATALOG_OVERRIDE_INVALID",
  /** A tap handed a catalog sent nothing for any selected stream, under on_catalog_ignored = "fail". */
  CATALOG_IGNORED: "CATALOG_IGNORED",
  /** A tap announced columns its catalog lacks, under schema_changes = "freeze". */
  SCHEMA_CHANGED: "SCHEMA_CHANGED",
  /** A row with a value in a new column, under schema_changes = "discard_row". */
  SCHEMA_NEW_COLUMN: "SCHEMA_NEW_COLUMN",
  /** A stream rename would give two streams one name. */
  STREAM_NAME_TAKEN: "STREAM_NAME_TAKEN",
  BATCH_INVALID: "BATCH_INVALID",
  /** A jsonl batch file whose first row does not validate: its rows are then checked one by one. */
  BATCH_ROW_INVALID: "BATCH_ROW_INVALID",
  /** The state store cannot be opened. */
  STATE_STORE_UNAVAILABLE: "STATE_STORE_UNAVAILABLE",
  /** The disk under the state store is full. */
  STATE_STORE_FULL: "STATE_STORE_FULL",
  /** The disk under the state store reported an I/O error. */
  STATE_STORE_IO: "STATE_STORE_IO",
  STATE_STORE_READONLY: "STATE_STORE_READONLY",
  STATE_STORE_CORRUPT: "STATE_STORE_CORRUPT",
  /** Another process kept the state store locked past the wait. */
  STATE_STORE_BUSY: "STATE_STORE_BUSY",
  /** Any other failure of the state store. */
  STATE_STORE_FAILED: "STATE_STORE_FAILED",
  BATCH_ANSWER_INVALID: "BATCH_ANSWER_INVALID",
  BATCH_POOL_CLOSED: "BATCH_POOL_CLOSED",
  BATCH_POOL_RECYCLED: "BATCH_POOL_RECYCLED",
  BATCH_ROWS_CHANGED: "BATCH_ROWS_CHANGED",
  BATCH_TIMEOUT: "BATCH_TIMEOUT",
  BATCH_WORKER_ERROR: "BATCH_WORKER_ERROR",
  BATCH_WORKER_EXITED: "BATCH_WORKER_EXITED",
  BATCH_WORKER_PROTOCOL: "BATCH_WORKER_PROTOCOL",
  COERCE_FAILED: "COERCE_FAILED",
  COMMAND_UNTERMINATED_QUOTE: "COMMAND_UNTERMINATED_QUOTE",
  CONFIG_FILE_UNREADABLE: "CONFIG_FILE_UNREADABLE",
  DLQ_EDIT_ABORTED: "DLQ_EDIT_ABORTED",
  DLQ_EDIT_INVALID: "DLQ_EDIT_INVALID",
  DLQ_EDIT_NO_EDITOR: "DLQ_EDIT_NO_EDITOR",
  DLQ_ENTRY_NOT_FOUND: "DLQ_ENTRY_NOT_FOUND",
  DLQ_TARGETS_NEEDED: "DLQ_TARGETS_NEEDED",
  ENV_VARIABLE_MISSING: "ENV_VARIABLE_MISSING",
  EXPRESSION_INVALID: "EXPRESSION_INVALID",
  HEALTH_TOKEN_EMPTY: "HEALTH_TOKEN_EMPTY",
  HEALTH_PORT_UNAVAILABLE: "HEALTH_PORT_UNAVAILABLE",
  MAPPER_EXITED: "MAPPER_EXITED",
  MAPPER_OUTPUT_INVALID: "MAPPER_OUTPUT_INVALID",
  MAPPER_OUT_OF_ORDER: "MAPPER_OUT_OF_ORDER",
  MAPPER_SPLIT: "MAPPER_SPLIT",
  MAPPER_TIMEOUT: "MAPPER_TIMEOUT",
  MIDDLEWARE_BAD_RESULT: "MIDDLEWARE_BAD_RESULT",
  MIDDLEWARE_EXITED: "MIDDLEWARE_EXITED",
  MIDDLEWARE_INVALID: "MIDDLEWARE_INVALID",
  MIDDLEWARE_MODULE_FAILED: "MIDDLEWARE_MODULE_FAILED",
  MIDDLEWARE_MODULE_INVALID: "MIDDLEWARE_MODULE_INVALID",
  MIDDLEWARE_PLANES_MIXED: "MIDDLEWARE_PLANES_MIXED",
  MIDDLEWARE_TIMEOUT: "MIDDLEWARE_TIMEOUT",
  MIDDLEWARE_UNKNOWN: "MIDDLEWARE_UNKNOWN",
  NO_CHECKPOINT: "NO_CHECKPOINT",
  PROJECT_EXISTS: "PROJECT_EXISTS",
  SCHEDULE_INVALID: "SCHEDULE_INVALID",
  STATE_NOT_JSON: "STATE_NOT_JSON",
  STATE_NOT_OBJECT: "STATE_NOT_OBJECT",
  STATE_TOO_LARGE: "STATE_TOO_LARGE",
  STREAM_NOT_IN_STATE: "STREAM_NOT_IN_STATE",
  TARGET_OUTPUT_INVALID: "TARGET_OUTPUT_INVALID",
  USAGE: "USAGE",
} as const;
