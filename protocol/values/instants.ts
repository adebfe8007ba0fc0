import { isDateTime, isDigit, number } from "../validation/date-time.js";

/**
 * Date-times and dates as the counts columnar formats store: microseconds
 * and days since 1970-01-01 UTC, computed from the text's digits (no Date,
 * whose milliseconds would drop a timestamp's microseconds). A date-time
 * without a zone is UTC, as in every Agora target. What a count cannot hold
 * exactly is refused, with the reason: a fraction finer than microseconds,
 * or a leap second (23:59:60 UTC is a time, but no count of seconds since
 * 1970 names it).
 */
export type Instant<T> = { readonly value: T } | { readonly refused: string };

const MICROS_PER_SECOND = 1_000_000n;

/** Microseconds since the epoch of a date-time as the date-time format accepts it. */
export function epochMicroseconds(text: string): Instant<bigint> {
  if (!isDateTime(text)) return { refused: "is not an RFC 3339 date-time" };
  const days = epochDays(number(text, 0, 4), number(text, 5, 2), number(text, 8, 2));
  let seconds = days * 86_400 + number(text, 11, 2) * 3600 + number(text, 14, 2) * 60;
  let at = 16;
  let micros = 0;
  if (text.charCodeAt(at) === COLON) {
    const second = number(text, at + 1, 2);
    if (second === 60) return { refused: "is a leap second, which a timestamp cannot hold" };
    seconds += second;
    at += 3;
    if (text.charCodeAt(at) === DOT) {
      const start = at + 1;
      at = start;
      while (at < text.length && isDigit(text.charCodeAt(at))) at += 1;
      const fraction = text.slice(start, at);
      if (/[1-9]/.test(fraction.slice(6))) return { refused: "has a fraction of a second finer than microseconds" };
      micros = Number(fraction.slice(0, 6).padEnd(6, "0"));
    }
  }
  seconds -= offsetSeconds(text, at);
  return { value: BigInt(seconds) * MICROS_PER_SECOND + BigInt(micros) };
}

/** Days since the epoch of a date written YYYY-MM-DD (a real day: checked by the caller's validation, or here). */
export function epochDaysOf(text: string): Instant<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !isDateTime(`${text}T00:00Z`)) return { refused: "is not a date (YYYY-MM-DD)" };
  return { value: epochDays(number(text, 0, 4), number(text, 5, 2), number(text, 8, 2)) };
}

/** The zone's offset east of UTC in seconds, from `at` (none and Z are 0). */
function offsetSeconds(text: string, at: number): number {
  const sign = text.charCodeAt(at);
  if (at >= text.length || (sign !== PLUS && sign !== MINUS)) return 0;
  const minutes = text.charCodeAt(at + 3) === COLON ? at + 4 : at + 3;
  const offset = number(text, at + 1, 2) * 3600 + number(text, minutes, 2) * 60;
  return sign === PLUS ? offset : -offset;
}

/** Days from 1970-01-01 to a day of the proleptic Gregorian calendar (the civil-from-days inverse, in whole numbers). */
function epochDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const MINUS = 0x2d;

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** Years 0000–9999, the ones RFC 3339 writes: in seconds since 1970. */
const FIRST_SECOND = -62_167_219_200;
const LAST_SECOND = 253_402_300_799;

/**
 * A count of `perSecond`ths of a second since 1970 as RFC 3339 text in UTC,
 * with `digits` digits of fraction (3 for milliseconds, 6 for microseconds,
 * 9 for nanoseconds: every one the count holds). A year RFC 3339 cannot
 * write (before 0000, after 9999) is refused: `refused` then describes the
 * count, as "253402300800000000 (µs since 1970)".
 */
export function isoFromEpoch(count: bigint | number, perSecond: bigint, digits: number): Instant<string> {
  // The common case in doubles (exact below 2^53): a BigInt division per value costs a tenth of a Parquet read.
  if (typeof count === "number" || (count >= MIN_SAFE && count <= MAX_SAFE)) {
    const units = Number(count);
    const per = Number(perSecond);
    const seconds = Math.floor(units / per);
    if (seconds >= FIRST_SECOND && seconds <= LAST_SECOND) {
      // Milliseconds are what Date writes, as one flat string (a joined one costs JSON.stringify and the collector more).
      if (per === 1000 && digits === 3) return { value: new Date(units).toISOString() };
      return { value: isoText(seconds, String(units - seconds * per), digits) };
    }
  }
  const value = BigInt(count);
  let seconds = value / perSecond;
  let fraction = value % perSecond;
  if (fraction < 0n) {
    fraction += perSecond;
    seconds -= 1n;
  }
  if (seconds < BigInt(FIRST_SECOND) || seconds > BigInt(LAST_SECOND))
    return { refused: `${value} (${digits === 3 ? "ms" : digits === 6 ? "µs" : digits === 9 ? "ns" : "s"} since 1970)` };
  return { value: isoText(Number(seconds), fraction.toString(), digits) };
}

function isoText(seconds: number, fraction: string, digits: number): string {
  const days = Math.floor(seconds / 86_400);
  const second = seconds - days * 86_400;
  // Consecutive values mostly fall on one day: its text is made once (a Parquet column is read in order).
  if (days !== lastDay) {
    lastDay = days;
    lastDayText = dayText(days);
  }
  const time = `${lastDayText}T${TWO_DIGITS[Math.floor(second / 3600)]}:${TWO_DIGITS[Math.floor(second / 60) % 60]}:${TWO_DIGITS[second % 60]}`;
  return digits === 0 ? `${time}Z` : `${time}.${fraction.padStart(digits, "0")}Z`;
}

let lastDay = Number.NaN;
let lastDayText = "";
const TWO_DIGITS = Array.from({ length: 60 }, (_, index) => String(index).padStart(2, "0"));

/** YYYY-MM-DD of a day counted from 1970-01-01 (years 0000–9999; the inverse of epochDays). */
function dayText(days: number): string {
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, "0")}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}
