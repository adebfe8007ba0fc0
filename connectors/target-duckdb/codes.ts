/** Error codes of target-duckdb. Stable: decisions and tests read these, never message text. */
export const TargetDuckdbCodes = {
  COLUMN_NAMES_COLLIDE: "COLUMN_NAMES_COLLIDE",
  COLUMN_NAME_RESERVED: "COLUMN_NAME_RESERVED",
  DUCKDB_FAILED: "DUCKDB_FAILED",
  DUCKDB_LOCKED: "DUCKDB_LOCKED",
  DUCKDB_VALUE_REFUSED: "DUCKDB_VALUE_REFUSED",
  KEYS_CHANGED: "KEYS_CHANGED",
  KEY_NOT_IN_SCHEMA: "KEY_NOT_IN_SCHEMA",
} as const;
