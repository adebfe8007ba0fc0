import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { epochDaysOf, epochMicroseconds, isoFromEpoch } from "../../../protocol/index.js";

const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;

describe("isoFromEpoch", () => {
  it("writes what Date writes for every millisecond of the years 0000–9999", () => {
    fc.assert(
      fc.property(fc.integer({ min: FIRST_MS, max: LAST_MS }), (ms) => {
        expect(isoFromEpoch(ms, 1000n, 3)).toEqual({ value: new Date(ms).toISOString() });
      }),
      { numRuns: 20_000 },
    );
  });

  it("keeps every digit of micro- and nanoseconds, before 1970 too, and refuses a year past 9999", () => {
    expect(isoFromEpoch(-1n, 1_000_000n, 6)).toEqual({ value: "1969-12-31T23:59:59.999999Z" });
    expect(isoFromEpoch(253_402_300_799_123_456_789n, 1_000_000_000n, 9)).toEqual({ value: "9999-12-31T23:59:59.123456789Z" });
    expect(isoFromEpoch(253_402_300_800_000_000n, 1_000_000n, 6)).toEqual({ refused: "253402300800000000 (µs since 1970)" });
  });
});

describe("epochMicroseconds and epochDaysOf", () => {
  it("read back what isoFromEpoch writes, to the microsecond", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: BigInt(FIRST_MS) * 1000n, max: BigInt(LAST_MS) * 1000n + 999n }), (micros) => {
        const text = isoFromEpoch(micros, 1_000_000n, 6);
        expect("value" in text && epochMicroseconds(text.value)).toEqual({ value: micros });
      }),
      { numRuns: 20_000 },
    );
  });

  it("move an offset to UTC, read no zone as UTC, and refuse what a count cannot hold", () => {
    expect(epochMicroseconds("2024-05-06T09:08:09.5+02:00")).toEqual(epochMicroseconds("2024-05-06T07:08:09.500000Z"));
    expect(epochMicroseconds("2024-05-06 07:08:09")).toEqual(epochMicroseconds("2024-05-06T07:08:09Z"));
    expect(epochMicroseconds("2024-05-06T07:08:09.1234567Z")).toEqual({ refused: "has a fraction of a second finer than microseconds" });
    expect(epochMicroseconds("2024-05-06T07:08:09.1234560Z")).toEqual(epochMicroseconds("2024-05-06T07:08:09.123456Z"));
    expect(epochMicroseconds("2016-12-31T23:59:60Z")).toEqual({ refused: "is a leap second, which a timestamp cannot hold" });
    expect(epochDaysOf("1970-01-02")).toEqual({ value: 1 });
    expect(epochDaysOf("0000-03-01")).toEqual({ value: -719_468 });
    expect(epochDaysOf("2023-02-29")).toEqual({ refused: "is not a date (YYYY-MM-DD)" });
  });
});
