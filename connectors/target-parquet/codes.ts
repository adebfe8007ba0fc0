/** Error codes of target-parquet. Stable: decisions and tests read these, never message text. */
export const TargetParquetCodes = {
  BATCH_FILE_UNREADABLE: "BATCH_FILE_UNREADABLE",
  FILE_NOT_PARQUET: "FILE_NOT_PARQUET",
} as const;
