import type { DataError } from "../../errors.js";
import type { Logger } from "../logger.js";
import { RejectedRow, type TapRecord } from "./types.js";

/** What a tap does with a row it cannot read or convert. */
export const BAD_ROW_POLICIES = ["fail", "skip", "dlq"] as const;
export type BadRowPolicy = (typeof BAD_ROW_POLICIES)[number];

/** The setting every file tap offers for it. */
export const BAD_ROW_SETTING = {
  type: "string",
  enum: [...BAD_ROW_POLICIES],
  default: "fail",
  description:
    "A malformed row: `fail` stops with its file and line; `skip` logs a warning and goes on (counted in the summary); `dlq` sends it to the runner's dead-letter queue as a DEAD_LETTER message (ignored by plain Singer targets).",
} as const;

/**
 * Applies a bad-row policy for one stream: throws for `fail`; for `skip`
 * logs, counts and returns a skipped RejectedRow (it only moves the
 * bookmark); for `dlq` returns a RejectedRow to send as a DEAD_LETTER.
 */
export class BadRowHandler {
  private skipped = 0;
  private rejected = 0;

  constructor(
    private readonly policy: BadRowPolicy,
    private readonly logger: Logger,
    private readonly stream: string,
  ) {}

  handle(error: DataError, details: { record?: TapRecord; raw?: string; bookmark?: unknown }): RejectedRow | undefined {
    if (this.policy === "fail") throw error;
    if (this.policy === "skip") {
      this.skipped += 1;
      this.logger.warn(`skipped bad row: ${error.toUserLine({ withHint: false })}`);
      // Yielded all the same, so the bookmark moves past it: a bad last row is not read (and warned about) again every run.
      return new RejectedRow(error, details, true);
    }
    this.rejected += 1;
    return new RejectedRow(error, details);
  }

  /** Logs how many rows were skipped or dead-lettered, if any. */
  summarize(): void {
    if (this.skipped > 0) this.logger.warn(`stream ${this.stream}: skipped ${this.skipped} bad row(s)`);
    if (this.rejected > 0) this.logger.warn(`stream ${this.stream}: sent ${this.rejected} bad row(s) to the dead-letter queue`);
  }
}
