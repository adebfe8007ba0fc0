import { SqlTableCodes } from "../../protocol/index.js";

/** Error codes of target-duckdb. Stable: decisions and tests read these, never message text. The checks of a stream's table every SQL target shares (SqlTableCodes) are among them. */
export const TargetDuckdbCodes = {
  ...SqlTableCodes,
  COLUMN_NAMES_COLLIDE: "COLUMN_NAMES_COLLIDE",
  COLUMN_NAME_RESERVED: "COLUMN_NAME_RESERVED",
  DUCKDB_FAILED: "DUCKDB_FAILED",
  DUCKDB_LOCKED: "DUCKDB_LOCKED",
  DUCKDB_VALUE_REFUSED: "DUCKDB_VALUE_REFUSED",
} as const;
