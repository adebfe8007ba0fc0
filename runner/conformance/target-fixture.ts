import { serializeMessage } from "../../protocol/index.js";

export interface SentRecord {
  readonly stream: string;
  readonly record: Record<string, unknown>;
  readonly keys: readonly string[];
}

/** The fixture input for `agora test target`, and what it expects to come out. */
export interface TargetFixture {
  readonly lines: readonly string[];
  /** Records in the order sent, each with the index of the first STATE sent after it. */
  readonly records: ReadonlyArray<SentRecord & { readonly beforeState: number }>;
  /** STATE values in the order sent. */
  readonly states: readonly unknown[];
  readonly streams: readonly string[];
}

/**
 * Several streams, a schema change mid-stream, nullable and nested fields,
 * unicode, one large record (1 MiB), ACTIVATE_VERSION and a STATE every 5
 * records. (The unknown message type has a check and a run of its own.)
 */
export function buildTargetFixture(): TargetFixture {
  const lines: string[] = [];
  const records: Array<SentRecord & { beforeState: number }> = [];
  const states: unknown[] = [];
  let sinceState = 0;
  const emitState = (): void => {
    const value = { agora_test: states.length + 1 };
    states.push(value);
    lines.push(serializeMessage({ type: "STATE", value }).trimEnd());
  };
  const schema = (stream: string, properties: Record<string, unknown>, keys: string[]): void => {
    lines.push(serializeMessage({ type: "SCHEMA", stream, schema: { type: "object", properties }, key_properties: keys }).trimEnd());
  };
  const record = (stream: string, value: Record<string, unknown>, keys: string[], version?: number): void => {
    lines.push(serializeMessage({ type: "RECORD", stream, record: value, ...(version === undefined ? {} : { version }) }).trimEnd());
    records.push({ stream, record: value, keys, beforeState: states.length });
    sinceState += 1;
    if (sinceState === 5) {
      sinceState = 0;
      emitState();
    }
  };

  const people = {
    id: { type: "integer" },
    name: { type: ["null", "string"] },
    score: { type: ["null", "number"] },
    active: { type: "boolean" },
    address: { type: ["null", "object"], properties: { city: { type: "string" } } },
    tags: { type: "array", items: { type: "string" } },
  };
  const names = ["Zoë 🎉", "日本語の名前", "Ærøskøbing", 'O\'Brien, "Jr."', "line\nbreak", null, "Ünïcødé", "emoji 🚀🧪", "tab\there", "plain"];
  schema("agora_test_people", people, ["id"]);
  for (let id = 1; id <= 20; id += 1) {
    record(
      "agora_test_people",
      {
        id,
        name: names[id % names.length] ?? null,
        score: id % 4 === 0 ? null : id * 1.5,
        active: id % 2 === 0,
        address: id % 3 === 0 ? null : { city: `Città ${id}` },
        tags: id % 2 === 0 ? ["a", "b"] : [],
      },
      ["id"],
    );
  }
  schema("agora_test_people", { ...people, email: { type: ["null", "string"] } }, ["id"]);
  for (let id = 21; id <= 30; id += 1)
    record("agora_test_people", { id, name: `person ${id}`, score: id, active: true, address: null, tags: [], email: `p${id}@example.com` }, ["id"]);
  schema("agora_test_events", { event_id: { type: "string" }, payload: { type: "object" }, at: { type: "string", format: "date-time" } }, ["event_id"]);
  for (let index = 1; index <= 9; index += 1)
    record(
      "agora_test_events",
      { event_id: `e-${index}`, payload: { n: index, nested: { deep: [index, "x"] } }, at: new Date(Date.UTC(2024, 0, index)).toISOString() },
      ["event_id"],
    );
  record("agora_test_events", { event_id: "e-large", payload: { blob: "x".repeat(1024 * 1024) }, at: "2024-02-01T00:00:00.000Z" }, ["event_id"]);
  schema("agora_test_versioned", { id: { type: "integer" } }, ["id"]);
  for (let id = 1; id <= 5; id += 1) record("agora_test_versioned", { id }, ["id"], 1);
  lines.push(serializeMessage({ type: "ACTIVATE_VERSION", stream: "agora_test_versioned", version: 1 }).trimEnd());
  emitState();
  return { lines, records, states, streams: ["agora_test_people", "agora_test_events", "agora_test_versioned"] };
}
