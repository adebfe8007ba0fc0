import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { streamMetadata, type Catalog } from "../../catalogs/index.js";
import { canonicalJson } from "../canonical-json.js";
import type { SyncOutput } from "./capture.js";
import { fail, pass, skip, type CheckResult } from "./check-result.js";
import { records, states } from "./sync-checks.js";

interface StreamFacts {
  keys: readonly string[];
  replicationKey: string | undefined;
}

/** Key properties and replication key per stream, from the catalog and the sync's SCHEMA messages. */
function streamFacts(full: SyncOutput, catalog: Catalog | undefined): Map<string, StreamFacts> {
  const facts = new Map<string, StreamFacts>();
  for (const stream of catalog?.streams ?? []) {
    const metadata = streamMetadata(stream);
    facts.set(stream.tap_stream_id, {
      keys: stream.key_properties ?? metadata["table-key-properties"] ?? [],
      replicationKey: stream.replication_key ?? metadata["replication-key"],
    });
  }
  for (const item of full.messages) {
    if (!item.known || item.message.type !== "SCHEMA") continue;
    const known = facts.get(item.message.stream);
    facts.set(item.message.stream, { keys: item.message.key_properties, replicationKey: known?.replicationKey ?? item.message.bookmark_properties?.[0] });
  }
  return facts;
}

function bookmarkOf(state: unknown, stream: string): unknown {
  if (typeof state !== "object" || state === null) return undefined;
  const bookmarks = (state as { bookmarks?: unknown }).bookmarks;
  if (typeof bookmarks !== "object" || bookmarks === null || !Object.hasOwn(bookmarks, stream)) return undefined;
  return (bookmarks as Record<string, unknown>)[stream];
}

const isEmpty = (value: unknown): boolean => value === undefined || value === null || (typeof value === "object" && Object.keys(value).length === 0);

/** Streams that can resume: a replication key, or a bookmark of their own in the tap's STATE. */
function resumableStreams(facts: Map<string, StreamFacts>, sentStates: readonly unknown[]): Set<string> {
  const resumable = new Set<string>();
  for (const [stream, { replicationKey }] of facts) {
    if (replicationKey !== undefined || sentStates.some((state) => !isEmpty(bookmarkOf(state, stream)))) resumable.add(stream);
  }
  return resumable;
}

/** A record's identity: its stream and key properties, or the whole record when it has none. */
function identity(stream: string, record: Record<string, unknown>, keys: readonly string[]): string {
  return `${stream}|${keys.length === 0 ? canonicalJson(record) : canonicalJson(keys.map((key) => record[key]))}`;
}

function atLeast(value: unknown, bound: unknown): boolean {
  if (typeof value === "number" && typeof bound === "number") return value >= bound;
  return String(value) >= String(bound);
}

/**
 * Resumed from a STATE of the first sync, a tap must not emit again the
 * records it had emitted before that STATE, in the streams that can resume.
 * A FULL_TABLE stream that re-sends everything is correct, and so is a
 * record whose replication key equals the bookmark (Singer bookmarks are
 * inclusive: the Meltano SDK re-sends the boundary value).
 */
export async function checkResume(
  full: SyncOutput,
  capabilities: readonly string[] | undefined,
  catalog: Catalog | undefined,
  work: string,
  syncWith: (extra: string[]) => Promise<SyncOutput>,
): Promise<CheckResult> {
  if (capabilities !== undefined && !capabilities.includes("state")) return skip("resume", "the tap does not claim the state capability");
  const sentStates = states(full);
  if (sentStates.length === 0) return skip("resume", "the first sync wrote no STATE");
  const facts = streamFacts(full, catalog);
  const resumable = resumableStreams(facts, sentStates);
  if (resumable.size === 0)
    return skip("resume", "no stream can resume (no replication key, no bookmark in the tap's STATE): re-sending everything is correct");

  // Resume from the first STATE that follows a record of a resumable stream.
  let seenRecord = false;
  const at = full.messages.findIndex((item) => {
    if (item.known && item.message.type === "RECORD" && resumable.has(item.message.stream)) seenRecord = true;
    return seenRecord && item.known && item.message.type === "STATE";
  });
  if (at === -1) return skip("resume", "no STATE follows a record of a resumable stream");
  const from = (full.messages[at] as { message: { value: unknown } }).message.value;

  const before = new Set<string>();
  const boundary = new Map<string, unknown>();
  for (const item of full.messages.slice(0, at)) {
    if (!item.known || item.message.type !== "RECORD" || !resumable.has(item.message.stream)) continue;
    const { stream, record } = item.message;
    const fact = facts.get(stream);
    before.add(identity(stream, record, fact?.keys ?? []));
    const key = fact?.replicationKey;
    if (key !== undefined && record[key] !== undefined && (!boundary.has(stream) || atLeast(record[key], boundary.get(stream))))
      boundary.set(stream, record[key]);
  }

  const stateFile = join(work, "state.json");
  writeFileSync(stateFile, JSON.stringify(from));
  const resumed = await syncWith(["--state", stateFile]);
  let atBoundary = 0;
  for (const record of records(resumed)) {
    if (!resumable.has(record.stream)) continue;
    const fact = facts.get(record.stream);
    if (!before.has(identity(record.stream, record.record, fact?.keys ?? []))) continue;
    const key = fact?.replicationKey;
    if (key !== undefined && boundary.has(record.stream) && atLeast(record.record[key], boundary.get(record.stream))) {
      atBoundary += 1;
      continue;
    }
    return fail(
      "resume",
      `resumed from STATE ${JSON.stringify(from).slice(0, 80)}, it emitted again a record from before it (stream ${record.stream}: ${JSON.stringify(record.record).slice(0, 80)})`,
    );
  }
  const checked = `${before.size} record(s) of ${[...resumable].join(", ")} checked${atBoundary > 0 ? `; ${atBoundary} re-sent at the inclusive bookmark` : ""}`;
  if (full.stoppedAtLimit || resumed.stoppedAtLimit)
    return pass("resume", `no record from before the STATE was emitted again (${checked}; final STATEs not compared: the syncs were cut at --max-records)`);
  const [lastFull, lastResumed] = [sentStates.at(-1), states(resumed).at(-1)];
  const hasBookmarks = (state: unknown): boolean =>
    typeof state === "object" && state !== null && typeof (state as { bookmarks?: unknown }).bookmarks === "object";
  if (!hasBookmarks(lastFull) && !hasBookmarks(lastResumed) && canonicalJson(lastFull) !== canonicalJson(lastResumed)) {
    return fail(
      "resume",
      `the resumed sync ends with STATE ${JSON.stringify(lastResumed)?.slice(0, 80)}, the full one with ${JSON.stringify(lastFull)?.slice(0, 80)}`,
    );
  }
  for (const stream of resumable) {
    const [a, b] = [bookmarkOf(lastFull, stream), bookmarkOf(lastResumed, stream)];
    if (canonicalJson(a) !== canonicalJson(b)) {
      return fail(
        "resume",
        `stream ${stream}: the resumed sync ends with bookmark ${JSON.stringify(b)?.slice(0, 80)}, the full one with ${JSON.stringify(a)?.slice(0, 80)}`,
      );
    }
  }
  return pass("resume", `no record from before the STATE emitted again (${checked}); both syncs end at the same bookmarks`);
}
