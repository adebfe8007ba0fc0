import { ProtocolError } from "../errors.js";
import { ProtocolCodes } from "./codes.js";
import type { NumberPlaces } from "../values/number-places.js";
import { markExactRecord, mayHoldExactNumbers, parseJsonExact, stringifyJson } from "../values/exact-json.js";
import { DEAD_LETTER_STAGES, MESSAGE_TYPES, type Message, type MessageLine, type RecordMessage, type UnknownMessage } from "./types.js";

const EXCERPT_LENGTH = 60;

/** A short, single-line excerpt of a bad line for an error message. */
export function excerpt(text: string): string {
  const flat = text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
  return JSON.stringify(flat);
}

function invalid(line: number, message: string): ProtocolError {
  return new ProtocolError(ProtocolCodes.INVALID_MESSAGE, message, {
    where: { line },
    hint: "The connector that wrote this line does not follow the Singer spec; fix its output.",
  });
}

function requireStream(object: Record<string, unknown>, type: string, line: number): void {
  const stream = object["stream"];
  if (typeof stream !== "string" || stream === "") {
    throw invalid(line, `${type} message has no "stream" (a non-empty string is required)`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Checks that a parsed object is a well-formed message of a known type.
 * Mirrors MESSAGE_SCHEMAS; written by hand because it runs once per line.
 */
function checkKnownMessage(object: Record<string, unknown>, line: number): Message | undefined {
  switch (object["type"]) {
    case "RECORD":
      requireStream(object, "RECORD", line);
      if (!isPlainObject(object["record"])) throw invalid(line, 'RECORD message has no "record" object');
      if (object["time_extracted"] !== undefined && typeof object["time_extracted"] !== "string") {
        throw invalid(line, 'RECORD "time_extracted" must be a string');
      }
      if (object["version"] !== undefined && typeof object["version"] !== "number") {
        throw invalid(line, 'RECORD "version" must be a number');
      }
      return object as unknown as Message;
    case "STATE":
      if (!("value" in object)) throw invalid(line, 'STATE message has no "value"');
      return object as unknown as Message;
    case "SCHEMA": {
      requireStream(object, "SCHEMA", line);
      const schema = object["schema"];
      if (!isPlainObject(schema) && typeof schema !== "boolean") {
        throw invalid(line, 'SCHEMA message has no "schema" object');
      }
      checkDescribesObjects(schema, object["stream"] as string, line);
      checkSchemaDepth(schema, object["stream"] as string, line);
      const keys = object["key_properties"];
      if (keys === undefined) {
        // Singer requires it, but taps in the wild omit it; treat as "no keys".
        return { ...object, key_properties: [] } as unknown as Message;
      }
      if (!isStringArray(keys)) throw invalid(line, 'SCHEMA "key_properties" must be an array of strings');
      const bookmarks = object["bookmark_properties"];
      if (bookmarks !== undefined && !isStringArray(bookmarks)) {
        throw invalid(line, 'SCHEMA "bookmark_properties" must be an array of strings');
      }
      return object as unknown as Message;
    }
    case "ACTIVATE_VERSION":
      requireStream(object, "ACTIVATE_VERSION", line);
      if (typeof object["version"] !== "number") throw invalid(line, 'ACTIVATE_VERSION message has no numeric "version"');
      return object as unknown as Message;
    case "BATCH": {
      requireStream(object, "BATCH", line);
      const encoding = object["encoding"];
      if (!isPlainObject(encoding) || typeof encoding["format"] !== "string" || encoding["format"] === "") {
        throw invalid(line, 'BATCH message has no "encoding.format"');
      }
      if (encoding["compression"] !== undefined && typeof encoding["compression"] !== "string") {
        throw invalid(line, 'BATCH "encoding.compression" must be a string');
      }
      if (!isStringArray(object["manifest"])) throw invalid(line, 'BATCH message has no "manifest" array of file URIs');
      return object as unknown as Message;
    }
    case "DEAD_LETTER": {
      requireStream(object, "DEAD_LETTER", line);
      if (!STAGES.has(object["stage"])) throw invalid(line, 'DEAD_LETTER "stage" must be source, validate, middleware or sink_write');
      const error = object["error"];
      if (!isPlainObject(error) || typeof error["code"] !== "string" || typeof error["message"] !== "string") {
        throw invalid(line, 'DEAD_LETTER message has no "error" with "code" and "message"');
      }
      if (object["record"] !== undefined && !isPlainObject(object["record"])) throw invalid(line, 'DEAD_LETTER "record" must be an object');
      if (object["raw"] !== undefined && typeof object["raw"] !== "string") throw invalid(line, 'DEAD_LETTER "raw" must be a string');
      return object as unknown as Message;
    }
    default:
      return undefined;
  }
}

const STAGES = new Set<unknown>(DEAD_LETTER_STAGES);

/** JSON levels a SCHEMA may nest (about 500 levels of properties): deeper, compiling or walking it would run out of stack. */
export const MAX_SCHEMA_DEPTH = 1000;

/** Refuses a SCHEMA nested deeper than MAX_SCHEMA_DEPTH, measured without recursion. */
function checkSchemaDepth(schema: unknown, stream: string, line: number): void {
  const pending: Array<[unknown, number]> = [[schema, 1]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop() as [unknown, number];
    if (typeof value !== "object" || value === null) continue;
    if (depth > MAX_SCHEMA_DEPTH) {
      throw new ProtocolError(ProtocolCodes.INVALID_SCHEMA, `the SCHEMA of stream ${stream} is nested deeper than ${MAX_SCHEMA_DEPTH} levels`, {
        where: { stream, line },
        hint: "Flatten the schema at the source (a deep object can be sent as a JSON string), or leave that property out.",
      });
    }
    for (const child of Object.values(value)) if (typeof child === "object" && child !== null) pending.push([child, depth + 1]);
  }
}

/**
 * A stream's records are JSON objects: a SCHEMA whose `type` leaves objects
 * out (`"string"`, `["null", "array"]`), or `false`, can hold no record,
 * and a target would otherwise store them in some catch-all column.
 */
function checkDescribesObjects(schema: Record<string, unknown> | boolean, stream: string, line: number): void {
  const type = schema === false ? [] : schema === true ? ["object"] : schema["type"];
  if (type === undefined) return;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes("object")) return;
  throw new ProtocolError(
    ProtocolCodes.INVALID_SCHEMA,
    `the SCHEMA of stream ${stream} describes ${schema === false ? "no value" : `${types.map(String).join(" or ")} values`}, but every record is an object`,
    {
      where: { stream, line },
      hint: 'Send the schema of the record: {"type": "object", "properties": {...}}.',
    },
  );
}

/**
 * Parses one line (without its newline) into a message.
 * Throws a ProtocolError naming the line for malformed JSON, a non-object,
 * a missing `type` or a malformed known message. Unknown types come back
 * with `known: false`, untouched.
 */
export function parseMessageLine(raw: string, line: number): MessageLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProtocolError(ProtocolCodes.INVALID_JSON, `invalid JSON (${reason}) in ${excerpt(raw)}`, {
      where: { line },
      hint: "Each line must be one complete JSON object; check what the connector printed on stdout (logs belong on stderr).",
      cause: error,
    });
  }
  if (!isPlainObject(parsed)) {
    throw new ProtocolError(ProtocolCodes.NOT_AN_OBJECT, `expected a JSON object, got ${excerpt(raw)}`, {
      where: { line },
      hint: 'Each line must be one Singer message, a JSON object with a "type".',
    });
  }
  const type = parsed["type"];
  if (typeof type !== "string" || type === "") {
    throw new ProtocolError(ProtocolCodes.MISSING_TYPE, `message has no "type": ${excerpt(raw)}`, {
      where: { line },
      hint: 'Every Singer message needs a "type" such as "RECORD", "SCHEMA" or "STATE".',
    });
  }
  // A dead letter's record and a STATE's value are kept as they are, every number exactly (a bookmark past 2^53 must resume
  // where it says). A RECORD's record is made exact where it is used (exactRecord): most RECORDs are forwarded as their line.
  const keptExact = type !== "RECORD" && KEPT_EXACT.has(type.toUpperCase());
  const object = keptExact && mayHoldExactNumbers(raw) ? parseExactLine(raw, line) : parsed;
  const message = checkKnownMessage(object, line);
  if (message !== undefined) return { known: true, message, line, raw };
  // Types are matched case-insensitively (`record`, `Record`): some taps in the wild write them so.
  // Off the hot path: only a type that missed the exact match is upper-cased.
  const upper = type.toUpperCase();
  if (upper !== type && KNOWN_TYPES.has(upper)) {
    // Written again, so every number as the line had it.
    const exact = object === parsed && mayHoldExactNumbers(raw) ? parseExactLine(raw, line) : object;
    exact["type"] = upper;
    const normalized = checkKnownMessage(exact, line) as Message;
    // `raw` is forwarded as is, so it becomes the normalized line a strict target can read.
    return { known: true, message: normalized, line, raw: stringifyJson(normalized) };
  }
  return { known: false, message: object as UnknownMessage, line, raw };
}

const KNOWN_TYPES = new Set<string>(MESSAGE_TYPES);
/** The messages whose data is kept exactly as parsed: a dead letter's record, a STATE's bookmarks. */
const KEPT_EXACT = new Set<string>(["DEAD_LETTER", "STATE"]);

/**
 * A line again, keeping each number a double would change as an
 * ExactNumber (see mayHoldExactNumbers: few lines come here). A record in
 * it is marked, so a validator checks it by the numbers' meaning.
 */
function parseExactLine(raw: string, line: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(raw);
  } catch (error) {
    // JSON.parse took the line, so what is left is a key given twice with different values.
    throw new ProtocolError(ProtocolCodes.INVALID_JSON, `${error instanceof Error ? error.message : String(error)} in ${excerpt(raw)}`, {
      where: { line },
      hint: "Write each key once per object: which of two values the source meant cannot be known.",
      cause: error,
    });
  }
  const record = (parsed as Record<string, unknown>)["record"];
  if (isPlainObject(record)) markExactRecord(record);
  return parsed as Record<string, unknown>;
}

/**
 * A RECORD's record with every number exactly as its line wrote it: the
 * parsed record itself when no number of the line could change as a double
 * (nearly always), else the line parsed again keeping such numbers as
 * ExactNumbers. Parsing stays one JSON.parse for whoever forwards the line
 * as it is (the runner without middleware, target-jsonl); whoever hands
 * the values on (middleware, a dead letter, a target's columns) asks here.
 * `places`, the stream's NumberPlaces, makes the test quicker for a record
 * that then validates: a caller passes it only when it validates the result
 * and takes a failed record exact again without it.
 */
export function exactRecord(message: RecordMessage, raw: string | undefined, line = 0, places?: NumberPlaces): RecordMessage["record"] {
  if (raw === undefined) return message.record;
  if (places === undefined ? !mayHoldExactNumbers(raw) : !places.mayHoldChangedNumbers(message.record, raw)) return message.record;
  const record = parseExactLine(raw, line)["record"];
  return isPlainObject(record) ? record : message.record;
}

/** Parses a single message from a string (no line context), for tests and tools. */
export function parseMessage(raw: string): Message | UnknownMessage {
  return parseMessageLine(raw, 1).message;
}
