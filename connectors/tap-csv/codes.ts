/** Error codes of tap-csv. Stable: decisions and tests read these, never message text. */
export const TapCsvCodes = {
  CSV_ROW_TOO_LONG: "CSV_ROW_TOO_LONG",
} as const;
