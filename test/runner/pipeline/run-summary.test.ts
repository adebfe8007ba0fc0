import { describe, expect, it } from "vitest";
import { count } from "../../../runner/pipeline/run-summary.js";

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
