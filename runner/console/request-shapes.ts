import { DEAD_LETTER_STAGES, parseJson, UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { DeadLetterStage, DeadLetterStatus } from "../state/types.js";

/** The console's requests read into checked values: a bad one is a usage error naming the field, never a guess. */

const MAX_PAGE = 200;

function bad(message: string, hint: string): UsageError {
  return new UsageError(RunnerCodes.USAGE, message, { hint });
}

function whole(text: string | null, name: string, fallback: number, max: number): number {
  if (text === null || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw bad(`${name} must be a whole number, not ${JSON.stringify(text)}`, `Give ${name}=0 or more.`);
  return Math.min(value, max);
}

/** `offset` and `limit` of a page (at most 200 a page). */
export function pageQuery(query: URLSearchParams, defaultLimit = 50): { offset: number; limit: number } {
  return {
    offset: whole(query.get("offset"), "offset", 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, whole(query.get("limit"), "limit", defaultLimit, MAX_PAGE)),
  };
}

function stageOf(text: string | null): DeadLetterStage | undefined {
  if (text === null || text === "") return undefined;
  if (!(DEAD_LETTER_STAGES as readonly string[]).includes(text)) throw bad(`no stage ${JSON.stringify(text)}`, `Stages: ${DEAD_LETTER_STAGES.join(", ")}.`);
  return text as DeadLetterStage;
}

function statusOf(text: unknown, fallback: DeadLetterStatus | undefined): DeadLetterStatus | undefined {
  if (text === null || text === undefined || text === "") return fallback;
  if (text === "all") return undefined;
  if (text !== "pending" && text !== "done") throw bad(`no status ${JSON.stringify(text)}`, "Statuses: pending, done, all.");
  return text;
}

/** The dead-letter list's filters and page. */
export function deadLetterQuery(query: URLSearchParams): {
  stream: string | undefined;
  stage: DeadLetterStage | undefined;
  errorCode: string | undefined;
  status: DeadLetterStatus | undefined;
  offset: number;
  limit: number;
} {
  const text = (name: string): string | undefined => {
    const value = query.get(name);
    return value === null || value === "" ? undefined : value;
  };
  return {
    stream: text("stream"),
    stage: stageOf(query.get("stage")),
    errorCode: text("code"),
    status: statusOf(query.get("status"), "pending"),
    ...pageQuery(query),
  };
}

function objectBody(body: string): Record<string, unknown> {
  const value = parseJson(body === "" ? "{}" : body);
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("the request body is not a JSON object", "Send {…}.");
  return value as Record<string, unknown>;
}

function idsOf(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((id) => Number.isInteger(id) && id > 0))
    throw bad("ids must be a list of dead letter ids", "Select the dead letters first.");
  return value as number[];
}

/** A replay: which dead letters (all pending ones when none are named) and how (full or sink). */
export function replayBody(body: string): { ids: number[] | undefined; mode: "full" | "sink" } {
  const request = objectBody(body);
  const mode = request["mode"] ?? "full";
  if (mode !== "full" && mode !== "sink") throw bad(`no replay mode ${JSON.stringify(mode)}`, "Modes: full, sink.");
  return { ids: idsOf(request["ids"]), mode };
}

/** A purge's selection: ids, or a status (done, pending, all); one of them must be given. */
export function selectionBody(body: string): { ids: number[] | undefined; status: DeadLetterStatus | undefined } {
  const request = objectBody(body);
  const ids = idsOf(request["ids"]);
  if (ids === undefined && request["status"] === undefined) throw bad("a purge names its dead letters", "Send ids, or a status (done, pending, all).");
  return { ids, status: statusOf(request["status"], undefined) };
}
