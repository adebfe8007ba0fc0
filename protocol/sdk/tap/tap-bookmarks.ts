import { ConfigError } from "../../errors.js";
import { compareNumbers } from "../../values/exact-number.js";
import { ProtocolCodes } from "../../messages/codes.js";

/**
 * The bookmarks a tap keeps in STATE: `{ "bookmarks": { stream: bookmark } }`.
 * Bookmarks of streams not synced this run are carried over untouched.
 */
export class TapBookmarks {
  private readonly bookmarks: Record<string, unknown>;
  private readonly rest: Record<string, unknown>;

  constructor(inputState: unknown, stateFile?: string) {
    let value = inputState;
    if (value === undefined || value === null) value = {};
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new ConfigError(ProtocolCodes.STATE_INVALID, "the state must be a JSON object", {
        ...(stateFile === undefined ? {} : { where: { file: stateFile } }),
        hint: "Pass the value of a STATE message this tap wrote, or no --state for a fresh sync.",
      });
    }
    let object = value as Record<string, unknown>;
    // A whole STATE message saved by hand: use its value.
    if (object["type"] === "STATE" && typeof object["value"] === "object" && object["value"] !== null) {
      object = object["value"] as Record<string, unknown>;
    }
    const { bookmarks, ...rest } = object;
    this.rest = rest;
    this.bookmarks = typeof bookmarks === "object" && bookmarks !== null ? { ...(bookmarks as Record<string, unknown>) } : {};
  }

  get(stream: string): unknown {
    return this.bookmarks[stream];
  }

  set(stream: string, bookmark: unknown): void {
    this.bookmarks[stream] = bookmark;
  }

  /** The value for a STATE message. */
  toStateValue(): Record<string, unknown> {
    return { ...this.rest, bookmarks: { ...this.bookmarks } };
  }
}

/**
 * True if replication key value `candidate` is past `current`: numbers by
 * their exact values (an id past 2^53 read exactly is an ExactNumber),
 * anything else by its text (ISO timestamps order so).
 */
export function isPast(candidate: unknown, current: unknown): boolean {
  if (candidate === null || candidate === undefined) return false;
  if (current === null || current === undefined) return true;
  const order = compareNumbers(candidate, current);
  if (order !== undefined) return order > 0;
  return String(candidate) > String(current);
}
