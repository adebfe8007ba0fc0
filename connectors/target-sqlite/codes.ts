/** Error codes of target-sqlite. Stable: decisions and tests read these, never message text. */
export const TargetSqliteCodes = {
  DATABASE_ERROR: "DATABASE_ERROR",
  DATABASE_UNWRITABLE: "DATABASE_UNWRITABLE",
  DISK_FULL: "DISK_FULL",
  KEYS_CHANGED: "KEYS_CHANGED",
  KEY_NOT_IN_SCHEMA: "KEY_NOT_IN_SCHEMA",
  SQLITE_TYPE_MISMATCH: "SQLITE_TYPE_MISMATCH",
  VALUE_OUT_OF_RANGE: "VALUE_OUT_OF_RANGE",
} as const;
