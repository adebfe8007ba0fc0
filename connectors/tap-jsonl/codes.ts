/** Error codes of tap-jsonl. Stable: decisions and tests read these, never message text. */
export const TapJsonlCodes = {
  JSONL_BAD_LINE: "JSONL_BAD_LINE",
} as const;
