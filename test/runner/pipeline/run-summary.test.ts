import { describe, expect, it } from "vitest";
import { count, summaryLine } from "../../../runner/pipeline/run-summary.js";
import type { RunResult } from "../../../runner/pipeline/types.js";

describe("count", () => {
  it("groups thousands with commas, as the summary line prints them", () => {
    expect([0, 7, 999, 1000, 12345, 999999, 1234567, 200000000].map(count)).toEqual([
      "0",
      "7",
      "999",
      "1,000",
      "12,345",
      "999,999",
      "1,234,567",
      "200,000,000",
    ]);
  });

  it("leaves a sign and a fraction alone", () => {
    expect([-1234, 1234.5678, -0.5].map(count)).toEqual(["-1,234", "1,234.5678", "-0.5"]);
  });
});

describe("summaryLine with many streams", () => {
  const result = (streams: number) =>
    ({
      pipeline: "p",
      status: "succeeded",
      seconds: 1,
      recordsRead: streams * 10,
      recordsWritten: streams * 10,
      progress: Object.fromEntries(Array.from({ length: streams }, (_, index) => [`s${index}`, { read: 10 + index, written: 10 + index, deadLettered: 0 }])),
      deadLettered: 0,
      skipped: 0,
      checkpointAdvanced: true,
      runId: "r1",
    }) as unknown as RunResult;

  it("names the 10 streams with the most records, then how many more; every one when asked", () => {
    const line = summaryLine(result(2000));
    expect(line).toContain(
      "wrote 20,000 (s1999 2,009, s1998 2,008, s1997 2,007, s1996 2,006, s1995 2,005, s1994 2,004, s1993 2,003, s1992 2,002, s1991 2,001, s1990 2,000, and 1,990 more streams)",
    );
    expect(line.length).toBeLessThan(300);
    expect(summaryLine(result(12), true)).toContain("(s0 10, s1 11, s2 12, s3 13, s4 14, s5 15, s6 16, s7 17, s8 18, s9 19, s10 20, s11 21)");
    expect(summaryLine(result(3))).toContain("(s0 10, s1 11, s2 12)");
  });
});
