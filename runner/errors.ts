/** Error codes of the runner. Stable: decisions and tests read these, never message text. */
export const RunnerCodes = {
  PROJECT_NOT_FOUND: "PROJECT_NOT_FOUND",
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
} as const;
