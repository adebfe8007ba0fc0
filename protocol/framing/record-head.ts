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

const COMPACT_BYTES = Buffer.from(COMPACT);
const SPACED_BYTES = Buffer.from(SPACED);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when `bytes[start, end)` begins with `head` (a loop: a native compare costs more than these few bytes). */
function beginsWith(bytes: Buffer, start: number, end: number, head: Buffer): boolean {
  if (end - start <= head.length) return false;
  for (let index = 0; index < head.length; index += 1) if (bytes[start + index] !== head[index]) return false;
  return true;
}

/** The last stream name read from bytes, to reuse its string while the lines name the same stream (most do). */
let lastName = "";
let lastNameBytes: Buffer = Buffer.alloc(0);

/** The name in `bytes[start, end)`, decoded, or the last one's string when the bytes are the same. */
function nameOf(bytes: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === lastNameBytes.length) {
    let same = true;
    for (let index = 0; index < length && same; index += 1) same = bytes[start + index] === lastNameBytes[index];
    if (same) return lastName;
  }
  lastNameBytes = Buffer.from(bytes.subarray(start, end));
  lastName = lastNameBytes.toString("utf8");
  return lastName;
}

/** True when the last byte of `bytes[start, end)` that is not a space is `}`. */
function closesBytes(bytes: Buffer, start: number, end: number): boolean {
  let last = end - 1;
  while (last > start && (bytes[last] === 32 || bytes[last] === 13 || bytes[last] === 9)) last -= 1;
  return bytes[last] === 125;
}

/**
 * recordStreamAtHead on a line's bytes (`bytes[start, end)`), before they
 * are decoded: the stream of a RECORD line whose head is written compact or
 * spaced as json.dumps writes it, with a name holding no escape. Undefined
 * for anything else, which is then decoded and read by recordStreamAtHead.
 */
export function recordStreamAtHeadOfBytes(bytes: Buffer, start: number, end: number): string | undefined {
  if (bytes[start] !== 123 /* { */ || !closesBytes(bytes, start, end)) return undefined;
  const head = beginsWith(bytes, start, end, COMPACT_BYTES) ? COMPACT_BYTES.length : beginsWith(bytes, start, end, SPACED_BYTES) ? SPACED_BYTES.length : -1;
  if (head < 0) return undefined;
  const nameStart = start + head;
  // Byte by byte within the line: a search of the buffer would run on into the lines after it.
  let quote = nameStart;
  while (quote < end && bytes[quote] !== QUOTE) {
    if (bytes[quote] === BACKSLASH) return undefined;
    quote += 1;
  }
  if (quote >= end) return undefined;
  let at = quote + 1;
  while (at < end && bytes[at] === 32) at += 1;
  return at < end && bytes[at] === 44 /* , */ ? nameOf(bytes, nameStart, quote) : undefined;
}

/**
 * A RECORD message for a forwarded line: its stream known from the head,
 * its record parsed from the line (exactly, as the reader would have) only
 * when something reads it, once. The line is kept as it came, bytes or
 * text, and turned into the other only when asked: a line read as bytes
 * goes to the targets as those bytes, never decoded. A class, so each
 * costs one small object.
 */
export class ForwardedRecord {
  readonly type = "RECORD";
  #parsed: RecordMessage | undefined;
  #text: string | undefined;
  #bytes: Buffer | undefined;

  constructor(
    readonly stream: string,
    content: string | Buffer,
    readonly line: number,
    readonly origin: ErrorLocation,
  ) {
    if (typeof content === "string") this.#text = content;
    else this.#bytes = content;
  }

  /** The line as text (without its newline). */
  get raw(): string {
    this.#text ??= (this.#bytes as Buffer).toString("utf8");
    return this.#text;
  }

  /** The line as UTF-8 bytes (without its newline): those the tap wrote, when it was read as bytes. */
  get bytes(): Buffer {
    this.#bytes ??= Buffer.from(this.#text as string, "utf8");
    return this.#bytes;
  }

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
