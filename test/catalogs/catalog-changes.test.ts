import { describe, expect, it } from "vitest";
import { catalogChanges, type Catalog } from "../../catalogs/index.js";

const stream = (id: string, properties: Record<string, unknown>): Catalog["streams"][number] => ({
  tap_stream_id: id,
  stream: id,
  schema: { type: "object", properties },
  metadata: [],
});

describe("catalogChanges", () => {
  it("names added and removed streams, added, removed and retyped columns, one line each", () => {
    const before: Catalog = {
      streams: [stream("people", { id: { type: "integer" }, fax: { type: "string" }, amount: { type: "integer" } }), stream("legacy", {})],
    };
    const after: Catalog = {
      streams: [
        stream("people", { id: { type: "integer" }, amount: { type: ["number", "null"] }, email: { type: ["null", "string"] }, constructor: {} }),
        stream("refunds", { id: { type: "integer" } }),
      ],
    };
    expect(catalogChanges(before, after)).toEqual([
      "people: ~ amount (integer → number or null)",
      "people: + email (string or null)",
      "people: + constructor (any)",
      "people: - fax",
      "+ stream refunds",
      "- stream legacy",
    ]);
  });

  it("says nothing when only the order or the metadata differ", () => {
    const one: Catalog = { streams: [stream("a", { x: { type: ["null", "string"] } }), stream("b", {})] };
    const two: Catalog = {
      streams: [stream("b", {}), { ...stream("a", { x: { type: ["string", "null"] } }), metadata: [{ breadcrumb: [], metadata: { selected: true } }] }],
    };
    expect(catalogChanges(one, two)).toEqual([]);
  });
});
