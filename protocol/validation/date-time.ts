/**
 * The `date-time` format as Singer taps really send it: ISO 8601 with `T`
 * (or a space) between date and time, seconds and their fraction optional,
 * the zone optional (`Z`, or an offset `+hh:mm` / `+hhmm`), letters in
 * either case. Each field is checked against its range and the day against
 * its month's length (February 29 only in leap years), so a value the
 * format accepts is a real instant: Postgres's timestamptz, DuckDB's and
 * Parquet's timestamps take it. As RFC 3339 says, a leap second (second 60)
 * is a time, at 23:59 UTC only, and 24:00 is not one (write 00:00 of the
 * next day).
 *
 * It reads character codes at fixed places, with no regular expression and
 * no Date: it runs for every such field of every record validated.
 */
export function isDateTime(value: string): boolean {
  const length = value.length;
  if (length < 16) return false;
  if (!(digits(value, 0, 4) && value.charCodeAt(4) === DASH && digits(value, 5, 2) && value.charCodeAt(7) === DASH && digits(value, 8, 2))) return false;
  const separator = value.charCodeAt(10);
  if (separator !== UPPER_T && separator !== LOWER_T && separator !== SPACE) return false;
  if (!(digits(value, 11, 2) && value.charCodeAt(13) === COLON && digits(value, 14, 2))) return false;
  const year = number(value, 0, 4);
  const month = number(value, 5, 2);
  const day = number(value, 8, 2);
  const hour = number(value, 11, 2);
  const minute = number(value, 14, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59) return false;
  let at = 16;
  let second = 0;
  if (value.charCodeAt(at) === COLON) {
    if (!digits(value, at + 1, 2)) return false;
    second = number(value, at + 1, 2);
    if (second > 60) return false;
    at += 3;
    if (value.charCodeAt(at) === DOT) {
      const start = at + 1;
      at = start;
      while (at < length && isDigit(value.charCodeAt(at))) at += 1;
      if (at === start) return false;
    }
  }
  if (at !== length && !isZone(value, at)) return false;
  return second !== 60 || utcMinuteOfDay(value, at, hour * 60 + minute) === LAST_MINUTE;
}

const LAST_MINUTE = 23 * 60 + 59;

/** The minute of the day in UTC of a local `minuteOfDay` whose zone starts at `at` (checked by isZone; none is UTC). */
function utcMinuteOfDay(value: string, at: number, minuteOfDay: number): number {
  const sign = value.charCodeAt(at);
  if (at === value.length || sign === UPPER_Z || sign === LOWER_Z) return minuteOfDay;
  const minutes = value.charCodeAt(at + 3) === COLON ? at + 4 : at + 3;
  const offset = number(value, at + 1, 2) * 60 + number(value, minutes, 2);
  return (((minuteOfDay - (sign === PLUS ? offset : -offset)) % 1440) + 1440) % 1440;
}

/** `Z`, `+hh:mm` or `+hhmm` (either sign), and nothing after it. */
function isZone(value: string, at: number): boolean {
  const sign = value.charCodeAt(at);
  if (sign === UPPER_Z || sign === LOWER_Z) return at + 1 === value.length;
  if (sign !== PLUS && sign !== MINUS) return false;
  if (!digits(value, at + 1, 2) || number(value, at + 1, 2) > 23) return false;
  const minutes = value.charCodeAt(at + 3) === COLON ? at + 4 : at + 3;
  return minutes + 2 === value.length && digits(value, minutes, 2) && number(value, minutes, 2) <= 59;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True for the character code of a digit 0–9 (shared with instants.ts, which reads date-times this checks). */
export function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9;
}

function digits(value: string, start: number, count: number): boolean {
  for (let index = start; index < start + count; index += 1) if (!isDigit(value.charCodeAt(index))) return false;
  return true;
}

/** The number written by `count` digits from `start` (checked to be digits). */
export function number(value: string, start: number, count: number): number {
  let result = 0;
  for (let index = start; index < start + count; index += 1) result = result * 10 + (value.charCodeAt(index) - ZERO);
  return result;
}

const ZERO = 0x30;
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;
const SPACE = 0x20;
const UPPER_T = 0x54;
const LOWER_T = 0x74;
const UPPER_Z = 0x5a;
const LOWER_Z = 0x7a;
