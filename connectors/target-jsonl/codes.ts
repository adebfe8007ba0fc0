/** Error codes of target-jsonl. Stable: decisions and tests read these, never message text. */
export const TargetJsonlCodes = {
  FILE_CLOSE_FAILED: "FILE_CLOSE_FAILED",
} as const;
