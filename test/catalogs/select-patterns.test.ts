import { describe, expect, it } from "vitest";
import {
  applySelectRules,
  isStreamSelected,
  parseSelectRules,
  projectRecord,
  projectSchema,
  selectedProjection,
  type Catalog,
  type CatalogStream,
} from "../../catalogs/index.js";

function stream(name: string, properties: Record<string, unknown>, keys: string[] = [], replicationKey?: string): CatalogStream {
  return {
    tap_stream_id: name,
    stream: name,
    schema: { type: "object", properties },
    key_properties: keys,
    metadata: [{ breadcrumb: [], metadata: { "table-key-properties": keys, ...(replicationKey === undefined ? {} : { "replication-key": replicationKey }) } }],
  };
}

const CATALOG: Catalog = {
  streams: [
    stream("orders", { id: { type: "integer" }, amount: { type: "number" }, updated_at: { type: "string" } }, ["id"], "updated_at"),
    stream(
      "customers",
      {
        id: { type: "integer" },
        email: { type: "string" },
        internal_note: { type: "string" },
        internal_score: { type: "number" },
        address: { type: "object", properties: { city: { type: "string" }, zip: { type: "string" } } },
      },
      ["id"],
    ),
    stream("audit_log", { id: { type: "integer" } }, ["id"]),
  ],
};

const select = (patterns: string[]) => applySelectRules(CATALOG, parseSelectRules(patterns));
const selected = (outcome: ReturnType<typeof select>, name: string) => {
  const found = outcome.catalog.streams.find((entry) => entry.tap_stream_id === name) as CatalogStream;
  return isStreamSelected(found) ? (selectedProjection(found) ?? "all") : "not selected";
};

describe("select patterns (Meltano's language)", () => {
  it("selects streams and properties by globs, excludes with !, and says which rule decided", () => {
    const outcome = select(["orders.*", "customers.email", "customers.internal_*", "!customers.internal_*", "customers.address.city"]);
    expect(selected(outcome, "orders")).toBe("all");
    expect(selected(outcome, "customers")).toEqual({ id: true, email: true, address: { city: true } });
    expect(selected(outcome, "audit_log")).toBe("not selected");
    const customers = outcome.report.find((entry) => entry.stream === "customers");
    expect(Object.fromEntries(customers?.properties ?? [])).toEqual({
      id: { selected: true, by: "key property", automatic: true },
      email: { selected: true, by: "customers.email", automatic: false },
      internal_note: { selected: false, by: "!customers.internal_*", automatic: false },
      internal_score: { selected: false, by: "!customers.internal_*", automatic: false },
      address: { selected: true, by: "for address.city", automatic: false },
      "address.city": { selected: true, by: "customers.address.city", automatic: false },
      "address.zip": { selected: false, by: "no pattern", automatic: false },
    });
    expect(outcome.warnings).toEqual([]);
  });

  it("keeps key properties and replication keys, warning when a pattern tries to drop one", () => {
    const outcome = select(["orders.*", "!orders.updated_at", "!orders.amount"]);
    expect(selected(outcome, "orders")).toEqual({ id: true, updated_at: true });
    expect(outcome.warnings).toEqual(['select pattern "!orders.updated_at" would drop orders.updated_at, a key or replication key: it is kept']);
  });

  it("excluding an object excludes what is inside it, even when a glob includes its children", () => {
    const outcome = select(["customers.*", "!customers.address"]);
    expect(selected(outcome, "customers")).toEqual({ id: true, email: true, internal_note: true, internal_score: true });
    const customers = outcome.report.find((entry) => entry.stream === "customers");
    expect(customers?.properties.get("address.city")).toEqual({ selected: false, by: "!customers.address", automatic: false });
  });

  it("drops a whole stream with !stream.*, and a bare stream name means all of it", () => {
    const outcome = select(["*", "!audit_*.*"]);
    expect(selected(outcome, "orders")).toBe("all");
    expect(selected(outcome, "audit_log")).toBe("not selected");
    expect(outcome.report.find((entry) => entry.stream === "audit_log")?.decision).toEqual({ selected: false, by: "!audit_*.*" });
  });

  it("warns about a pattern that matches nothing, naming the streams there are", () => {
    const outcome = select(["order.*", "customers.phone"]);
    expect(outcome.warnings).toEqual([
      'select pattern "order.*" matches no stream (streams: orders, customers, audit_log)',
      'select pattern "customers.phone" matches no property of customers',
    ]);
  });

  it("treats names as data: regex characters, ?, [] and case", () => {
    const odd: Catalog = { streams: [stream("a.b+c", { "x(y)": { type: "string" } }), stream("Orders", { id: {} }), stream("order1", { id: {} })] };
    const outcome = applySelectRules(odd, parseSelectRules(["a.b+c.x(y)", "order[0-9].*", "orders.*"]));
    const names = outcome.report.filter((entry) => entry.decision.selected).map((entry) => entry.stream);
    expect(names).toEqual(["order1"]);
    expect(outcome.warnings).toEqual([
      'select pattern "a.b+c.x(y)" matches no stream (streams: a.b+c, Orders, order1)',
      'select pattern "orders.*" matches no stream (streams: a.b+c, Orders, order1)',
    ]);
  });
});

describe("projection of properties named like object internals", () => {
  it("keeps and drops __proto__ and constructor like any other property", () => {
    const hostile: Catalog = {
      streams: [
        stream(
          "s",
          JSON.parse('{"id": {"type": "integer"}, "__proto__": {"type": "string"}, "constructor": {"type": "string"}, "x": {"type": "string"}}') as Record<
            string,
            unknown
          >,
          ["id"],
        ),
      ],
    };
    const outcome = applySelectRules(hostile, parseSelectRules(["s.__proto__", "s.constructor"]));
    const only = outcome.catalog.streams[0] as CatalogStream;
    const projection = selectedProjection(only);
    expect(JSON.stringify(projection)).toBe('{"id":true,"__proto__":true,"constructor":true}');
    const record = JSON.parse('{"id": 1, "__proto__": "p", "constructor": "c", "x": "dropped"}') as Record<string, unknown>;
    expect(JSON.stringify(projectRecord(record, projection))).toBe('{"id":1,"__proto__":"p","constructor":"c"}');
    expect(Object.keys(projectSchema(only.schema, projection)["properties"] as object)).toEqual(["id", "__proto__", "constructor"]);
  });
});
