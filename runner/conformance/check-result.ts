/** One conformance check's outcome. */
export interface CheckResult {
  readonly check: string;
  readonly status: "pass" | "fail" | "skip";
  /** One line: what was found, or why it was skipped. */
  readonly reason: string;
}

export const pass = (check: string, reason: string): CheckResult => ({ check, status: "pass", reason });
export const fail = (check: string, reason: string): CheckResult => ({ check, status: "fail", reason });
export const skip = (check: string, reason: string): CheckResult => ({ check, status: "skip", reason });
