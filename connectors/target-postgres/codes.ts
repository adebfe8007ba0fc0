import { SqlTableCodes } from "../../protocol/index.js";

/** Error codes of target-postgres. Stable: decisions and tests read these, never message text. The checks of a stream's table every SQL target shares (SqlTableCodes) are among them. */
export const TargetPostgresCodes = {
  ...SqlTableCodes,
  COLUMN_NAME_TAKEN: "COLUMN_NAME_TAKEN",
  DISK_FULL: "DISK_FULL",
  POSTGRES_ERROR: "POSTGRES_ERROR",
  POSTGRES_LOGIN_FAILED: "POSTGRES_LOGIN_FAILED",
  POSTGRES_NOT_ALLOWED: "POSTGRES_NOT_ALLOWED",
  POSTGRES_NO_SSL: "POSTGRES_NO_SSL",
  POSTGRES_UNAVAILABLE: "POSTGRES_UNAVAILABLE",
  POSTGRES_VALUE_REFUSED: "POSTGRES_VALUE_REFUSED",
} as const;
