import type { RecordMessage } from "./types.js";
import { stringifyJson } from "../values/exact-json.js";
import { exactRecord } from "./parse.js";

const KEY = '"record"';

/**
 * The JSON text of a RECORD's `record`, cut from the line it was parsed
 * from (`raw`) when that is safe, else written again with JSON.stringify.
 * Either way it is JSON of the same value, every number as the line wrote
 * it; the cut keeps the line's own spelling of it (spaces, `1.0`, escapes).
 *
 * The cut is taken only when
 * - `record` is the message's last key and every other key holds a plain
 *   value (a string, number, boolean or null);
 * - `"record"` occurs once in the line, as a key followed by an object;
 * - the line ends with that object's `}` and the message's own.
 * Then the cut is the record: no nested object can hide a key named
 * "record" before the message's own, and a key given twice (JSON.parse
 * keeps its last value) cannot follow it, since the last member of the line
 * would then be a key other than `record` whose value ends in `}`, that is
 * an object, which the first rule refuses.
 */
export function recordText(raw: string | undefined, message: RecordMessage): string {
  if (raw === undefined) return stringifyJson(exactRecord(message, raw));
  const keys = Object.keys(message);
  if (keys[keys.length - 1] !== "record") return stringifyJson(exactRecord(message, raw));
  for (let index = 0; index < keys.length - 1; index += 1) {
    const value = (message as unknown as Record<string, unknown>)[keys[index] as string];
    if (typeof value === "object" && value !== null) return stringifyJson(exactRecord(message, raw));
  }
  const key = raw.indexOf(KEY);
  if (key === -1 || raw.indexOf(KEY, key + KEY.length) !== -1) return stringifyJson(exactRecord(message, raw));
  // A string followed by a colon (whitespace allowed) is a key.
  let start = key + KEY.length;
  while (isSpace(raw.charCodeAt(start))) start += 1;
  if (raw.charCodeAt(start) !== 0x3a) return stringifyJson(exactRecord(message, raw));
  start += 1;
  while (isSpace(raw.charCodeAt(start))) start += 1;
  let end = raw.length - 1;
  while (isSpace(raw.charCodeAt(end))) end -= 1;
  if (raw.charCodeAt(end) !== 0x7d) return stringifyJson(exactRecord(message, raw));
  end -= 1;
  while (isSpace(raw.charCodeAt(end))) end -= 1;
  if (raw.charCodeAt(start) !== 0x7b || raw.charCodeAt(end) !== 0x7d) return stringifyJson(exactRecord(message, raw));
  return raw.slice(start, end + 1);
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
