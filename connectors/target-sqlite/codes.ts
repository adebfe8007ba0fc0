import { SqlTableCodes } from "../../protocol/index.js";

/** Error codes of target-sqlite. Stable: decisions and tests read these, never message text. The checks of a stream's table every SQL target shares (SqlTableCodes) are among them. */
export const TargetSqliteCodes = {
  ...SqlTableCodes,
  DATABASE_ERROR: "DATABASE_ERROR",
  DATABASE_UNWRITABLE: "DATABASE_UNWRITABLE",
  DISK_FULL: "DISK_FULL",
  SQLITE_TYPE_MISMATCH: "SQLITE_TYPE_MISMATCH",
  VALUE_OUT_OF_RANGE: "VALUE_OUT_OF_RANGE",
} as const;
