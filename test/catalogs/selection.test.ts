import { describe, expect, it } from "vitest";
import { describeStream, isStreamSelected, projectRecord, projectSchema, selectedProjection, type CatalogStream } from "../../catalogs/index.js";

const schema = {
  type: "object",
  properties: {
    id: { type: "integer" },
    email: { type: "string" },
    name: { type: "string" },
    updated_at: { type: "string" },
    address: { type: "object", properties: { street: { type: "string" }, zip: { type: "string" } } },
  },
  required: ["id", "email"],
};

function withMetadata(stream: CatalogStream, changes: Array<[string[], Record<string, unknown>]>): CatalogStream {
  const metadata = stream.metadata.map((entry) => {
    const change = changes.find(([crumb]) => JSON.stringify(crumb) === JSON.stringify(entry.breadcrumb));
    return change === undefined ? entry : { ...entry, metadata: { ...entry.metadata, ...change[1] } };
  });
  for (const [crumb, values] of changes) {
    if (!metadata.some((entry) => JSON.stringify(entry.breadcrumb) === JSON.stringify(crumb))) metadata.push({ breadcrumb: crumb, metadata: values });
  }
  return { ...stream, metadata };
}

const users = describeStream({ tapStreamId: "users", schema, keyProperties: ["id"], replicationKey: "updated_at" });

describe("stream selection", () => {
  it("selects a discovered stream by default", () => {
    expect(isStreamSelected(users)).toBe(true);
  });

  it("honours selected: false over selected-by-default", () => {
    expect(isStreamSelected(withMetadata(users, [[[], { selected: false }]]))).toBe(false);
  });

  it("honours the legacy stream-level selected flag when metadata is silent", () => {
    const bare: CatalogStream = { tap_stream_id: "t", stream: "t", schema, metadata: [] };
    expect(isStreamSelected(bare)).toBe(false);
    expect(isStreamSelected({ ...bare, selected: true })).toBe(true);
  });
});

describe("property selection", () => {
  it("marks keys and the replication key automatic in discovered metadata", () => {
    const automatic = users.metadata.filter((entry) => entry.metadata.inclusion === "automatic").map((entry) => entry.breadcrumb[1]);
    expect(automatic.sort()).toEqual(["id", "updated_at"]);
  });

  it("keeps everything when nothing is deselected", () => {
    expect(selectedProjection(users)).toBeUndefined();
  });

  it("drops a deselected property from records and the schema", () => {
    const stream = withMetadata(users, [[["properties", "email"], { selected: false }]]);
    const projection = selectedProjection(stream);
    expect(projectRecord({ id: 1, email: "a@b", name: "A", extra: 1 }, projection)).toEqual({ id: 1, name: "A" });
    const projected = projectSchema(schema, projection);
    expect(Object.keys(projected["properties"] as object).sort()).toEqual(["address", "id", "name", "updated_at"]);
    expect(projected["required"]).toEqual(["id"]);
  });

  it("always emits automatic properties, even when deselected", () => {
    const stream = withMetadata(users, [
      [["properties", "id"], { selected: false }],
      [["properties", "name"], { selected: false }],
    ]);
    expect(projectRecord({ id: 1, name: "A", email: "e" }, selectedProjection(stream))).toEqual({ id: 1, email: "e" });
  });

  it("never emits unsupported properties", () => {
    const stream = withMetadata(users, [[["properties", "name"], { inclusion: "unsupported", selected: true }]]);
    expect(projectRecord({ id: 1, name: "A" }, selectedProjection(stream))).toEqual({ id: 1 });
  });

  it("deselects nested properties", () => {
    const stream = withMetadata(users, [[["properties", "address", "properties", "zip"], { selected: false }]]);
    expect(projectRecord({ id: 1, address: { street: "Main", zip: "1" } }, selectedProjection(stream))).toEqual({ id: 1, address: { street: "Main" } });
  });

  it("emits key properties a hand-written catalog forgot to mark automatic", () => {
    const stream: CatalogStream = {
      tap_stream_id: "t",
      stream: "t",
      schema,
      key_properties: ["id"],
      metadata: [
        { breadcrumb: [], metadata: { selected: true } },
        { breadcrumb: ["properties", "id"], metadata: { selected: false } },
        { breadcrumb: ["properties", "name"], metadata: { selected: false } },
      ],
    };
    expect(projectRecord({ id: 1, name: "A", email: "e" }, selectedProjection(stream))).toEqual({ id: 1, email: "e" });
  });
});
