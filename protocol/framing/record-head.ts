import { AgoraError, type ErrorLocation } from "../errors.js";
import { parseMessageLine } from "../messages/parse.js";
import type { RecordMessage } from "../messages/types.js";

/** The heads compact and spaced JSON writers give a RECORD (Python's json.dumps the second), found without a regular expression. */
const COMPACT = '{"type":"RECORD","stream":"';
const SPACED = '{"type": "RECORD", "stream": "';
/** Any other spacing of the same head. */
const HEAD = /^\{\s*"type"\s*:\s*"RECORD"\s*,\s*"stream"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,/;

/** The name in a head whose opening quote ends at `start`, if a comma follows its closing quote; undefined for one with a backslash (left to HEAD). */
function plainName(text: string, start: number): string | undefined {
  const end = text.indexOf('"', start);
  if (end < 0) return undefined;
  const name = text.slice(start, end);
  if (name.includes("\\")) return undefined;
  let at = end + 1;
  while (text.charCodeAt(at) === 32) at += 1;
  return text.charCodeAt(at) === 44 /* , */ ? name : undefined;
}

/** True when the line's last character that is not a space is `}`: a cut-off line is never taken. */
function closes(text: string): boolean {
  let end = text.length - 1;
  while (end > 0 && (text.charCodeAt(end) === 32 || text.charCodeAt(end) === 13 || text.charCodeAt(end) === 9)) end -= 1;
  return text.charCodeAt(end) === 125;
}

/**
 * The stream of a RECORD line, read from its head alone: `{"type": "RECORD",
 * "stream": "NAME", …}` with any JSON spacing, as every Singer writer puts
 * them (type first, stream second). Undefined for any other line, or one
 * whose head is written otherwise (it is then parsed whole).
 */
export function recordStreamAtHead(text: string): string | undefined {
  if (text.charCodeAt(0) !== 123 /* { */ || !closes(text)) return undefined;
  const fast = text.startsWith(COMPACT) ? plainName(text, COMPACT.length) : text.startsWith(SPACED) ? plainName(text, SPACED.length) : undefined;
  if (fast !== undefined) return fast;
  const match = HEAD.exec(text);
  if (match === null) return undefined;
  const name = match[1] as string;
  if (!name.includes("\\")) return name;
  try {
    return JSON.parse(`"${name}"`) as string;
  } catch {
    // A bad escape (\x): the line is parsed whole, and refused as the JSON it is not.
    return undefined;
  }
}

/**
 * A RECORD message for a forwarded line: its stream known from the head,
 * its record parsed from the line (exactly, as the reader would have) only
 * when something reads it, once. A class, so each costs one small object.
 */
export class ForwardedRecord {
  readonly type = "RECORD";
  #parsed: RecordMessage | undefined;

  constructor(
    readonly stream: string,
    readonly raw: string,
    readonly line: number,
    readonly origin: ErrorLocation,
  ) {}

  /** The whole message, parsed as the reader parses a line (errors say who wrote it and where). */
  parse(): RecordMessage {
    try {
      this.#parsed ??= parseMessageLine(this.raw, this.line).message as RecordMessage;
    } catch (error) {
      throw error instanceof AgoraError ? error.withLocation(this.origin) : error;
    }
    return this.#parsed;
  }

  get record(): RecordMessage["record"] {
    return this.parse().record;
  }
}
