/** Error codes of tap-parquet. Stable: decisions and tests read these, never message text. */
export const TapParquetCodes = {
  PARQUET_DAMAGED: "PARQUET_DAMAGED",
  PARQUET_INVALID: "PARQUET_INVALID",
  PARQUET_NOT_A_NUMBER: "PARQUET_NOT_A_NUMBER",
  PARQUET_TIME_OUT_OF_RANGE: "PARQUET_TIME_OUT_OF_RANGE",
} as const;
