import { describe, expect, it } from "vitest";
import { backoffSeconds, parseDuration, parseSchedule } from "../../../runner/scheduler/schedule.js";

describe("schedules", () => {
  const start = new Date("2026-01-01T10:00:00Z");

  it("every N counts from the end of the previous run", () => {
    const schedule = parseSchedule({ every: "5m" }, "s");
    expect(schedule.first(start)).toEqual(start);
    expect(schedule.next(new Date("2026-01-01T10:01:30Z"))).toEqual(new Date("2026-01-01T10:06:30Z"));
  });

  it("cron uses the next matching time", () => {
    const schedule = parseSchedule({ cron: "0 */6 * * *", timezone: "UTC" }, "s");
    expect(schedule.first(start)).toEqual(new Date("2026-01-01T12:00:00Z"));
    expect(schedule.next(new Date("2026-01-01T12:00:05Z"))).toEqual(new Date("2026-01-01T18:00:00Z"));
  });

  it("continuous runs again at once; once runs once", () => {
    expect(parseSchedule({ continuous: true }, "s").next(start)).toEqual(start);
    expect(parseSchedule({ once: true }, "s").next(start)).toBeUndefined();
  });

  it.each([
    [{}, /exactly one of/],
    [{ every: "5m", once: true }, /exactly one of/],
    [{ every: "soon" }, /"soon" is not a duration/],
    [{ cron: "every tuesday" }, /is not a cron expression/],
  ])("rejects %j", (spec, message) => {
    expect(() => parseSchedule(spec, "pipelines.x.schedule")).toThrowError(message);
  });

  it("parses durations", () => {
    expect([
      parseDuration("90", "d"),
      parseDuration("30s", "d"),
      parseDuration("5m", "d"),
      parseDuration("2h", "d"),
      parseDuration("250ms", "d"),
      parseDuration(7, "d"),
    ]).toEqual([90, 30, 300, 7200, 0.25, 7]);
  });
});

describe("backoff", () => {
  it("doubles per failure, is capped, and keeps half of it fixed (jitter on the other half)", () => {
    expect([1, 2, 3, 4].map((failures) => backoffSeconds(failures, 10, 60, () => 0))).toEqual([5, 10, 20, 30]);
    expect([1, 2, 3, 4].map((failures) => backoffSeconds(failures, 10, 60, () => 1))).toEqual([10, 20, 40, 60]);
  });
});
