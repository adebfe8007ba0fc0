import { describe, expect, it } from "vitest";
import { isDateTime } from "../../../protocol/validation/date-time.js";
import { RecordValidator } from "../../../protocol/validation/record-validator.js";

describe("the date-time format", () => {
  it.each([
    "2024-02-29T12:30:00Z",
    "2024-02-29 12:30:00",
    "2024-02-29t12:30:00z",
    "2023-12-31T23:59:59.999999+01:00",
    "2023-12-31T23:59:59-0530",
    "2023-12-31T23:59",
    "2023-12-31T23:59Z",
    "1998-12-31T23:59:60Z",
    "1998-12-31T23:59:60.5Z",
    "1999-01-01T00:59:60+01:00",
    "1998-12-31T18:29:60-05:30",
    "2000-02-29T00:00:00Z",
    "0001-01-01T00:00:00Z",
    "2023-04-30T00:00:00.5",
  ])("accepts %s", (value) => {
    expect(isDateTime(value)).toBe(true);
  });

  it.each([
    ["a day past its month's end", "2023-02-29T00:00:00Z"],
    ["February 29 of a century not divisible by 400", "1900-02-29T00:00:00Z"],
    ["April 31", "2023-04-31T00:00:00Z"],
    ["month 13", "2023-13-01T00:00:00Z"],
    ["month 0", "2023-00-01T00:00:00Z"],
    ["day 0", "2023-12-00T00:00:00Z"],
    ["hour 25", "2023-12-01T25:00:00Z"],
    ["24:00 (RFC 3339 has no such hour)", "2023-12-31T24:00:00Z"],
    ["24:00 and a second", "2023-12-01T24:00:01Z"],
    ["minute 60", "2023-12-01T23:60:00Z"],
    ["second 61", "1998-12-31T23:59:61Z"],
    ["a leap second not at 23:59 UTC", "1998-12-31T12:59:60Z"],
    ["a leap second at 23:59 local time east of UTC", "1998-12-31T23:59:60+01:00"],
    ["an offset of 24 hours", "2023-12-01T12:00:00+24:00"],
    ["an offset of 60 minutes", "2023-12-01T12:00:00+05:60"],
    ["an offset without minutes", "2023-12-01T12:00:00+05"],
    ["a dot without digits", "2023-12-01T12:00:00.Z"],
    ["a date alone", "2023-12-01"],
    ["no separator", "2023-12-0112:00:00"],
    ["text after the zone", "2023-12-01T12:00:00Zjunk"],
    ["one-digit fields", "2023-1-01T12:00:00Z"],
    ["a word", "yesterday"],
    ["an empty string", ""],
  ])("refuses %s (%s)", (_why, value) => {
    expect(isDateTime(value)).toBe(false);
  });

  it("agrees with Date.parse on every well-formed value whose day exists in its month", () => {
    // Well-formed by construction: field widths and separators are right, ranges are not.
    let seed = 7;
    const next = (limit: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % limit;
    };
    const two = (n: number): string => String(n).padStart(2, "0");
    let compared = 0;
    for (let round = 0; round < 20_000; round += 1) {
      const year = 1970 + next(100);
      const month = next(14);
      const day = next(33);
      const zone = ["", "Z", `+${two(next(26))}:${two(next(62))}`, `-${two(next(26))}${two(next(62))}`][next(4)] as string;
      const seconds = next(2) === 0 ? "" : `:${two(next(62))}${next(2) === 0 ? "" : `.${next(1000)}`}`;
      const hour = next(26);
      const value = `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(next(62))}${seconds}${zone}`;
      // Date.parse takes 24:00 and refuses a leap second; RFC 3339 the other way round (the cases above).
      if (hour === 24 || seconds.startsWith(":60")) continue;
      const lastDay = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 31;
      if (day > lastDay && day <= 31) {
        // Date.parse takes any day up to 31; the format refuses a day its month lacks.
        expect(isDateTime(value), value).toBe(false);
        continue;
      }
      expect(isDateTime(value), value).toBe(!Number.isNaN(Date.parse(value)));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(15_000);
  });

  it("is the format a record's date-time field is validated by", () => {
    const validator = new RecordValidator();
    validator.setSchema("s", { type: "object", properties: { at: { type: "string", format: "date-time" } } });
    expect(validator.validate("s", { at: "2024-02-29 08:00:00" })).toBeUndefined();
    expect(validator.validate("s", { at: "2023-02-29 08:00:00" }, 4)?.message).toMatch(/\/at expected format date-time, got string "2023-02-29 08:00:00"/);
  });
});
