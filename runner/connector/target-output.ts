import { parseJson, parseMessageLine, type DeadLetterMessage } from "../../protocol/index.js";
import type { TargetReports } from "../ports.js";

/** What one line a target wrote on stdout means to the runner. */
export type TargetOutput =
  | { readonly kind: "state"; readonly value: unknown; readonly echo: "bare" | "message" }
  | { readonly kind: "dead_letter"; readonly message: DeadLetterMessage }
  | { readonly kind: "other" };

const OTHER: TargetOutput = { kind: "other" };

/**
 * Reads one line of a target's stdout. Singer targets echo a confirmed STATE
 * as its bare value (`{"bookmarks": …}`, what singer-python and Meltano SDK
 * targets write); others write the whole `{"type":"STATE","value":…}`. A
 * line equal to a STATE value the runner sent is that STATE's echo, whatever
 * keys it holds (a state may well contain a `type`); only a line that is not
 * is read as a typed message (STATE or DEAD_LETTER). Anything else (a log
 * line printed on stdout) is "other".
 */
export function readTargetLine(text: string, line: number, sent: Pick<TargetReports, "isSentState">): TargetOutput {
  let value: unknown;
  try {
    // A bookmark past 2^53 is compared as written: JSON.parse would make it equal to its neighbours.
    value = parseJson(text);
  } catch {
    return OTHER;
  }
  if (sent.isSentState(value)) return { kind: "state", value, echo: "bare" };
  if (typeof value !== "object" || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== "string") return OTHER;
  let parsed;
  try {
    parsed = parseMessageLine(text, line);
  } catch {
    return OTHER;
  }
  if (!parsed.known) return OTHER;
  if (parsed.message.type === "STATE") return { kind: "state", value: parsed.message.value, echo: "message" };
  if (parsed.message.type === "DEAD_LETTER") return { kind: "dead_letter", message: parsed.message };
  return OTHER;
}
