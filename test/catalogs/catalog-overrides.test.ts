import { describe, expect, it } from "vitest";
import { applyCatalogOverrides, nearestNames, type Catalog } from "../../catalogs/index.js";

const CATALOG: Catalog = {
  streams: [
    {
      tap_stream_id: "orders",
      stream: "orders",
      schema: {
        type: "object",
        properties: { id: { type: "integer" }, amount: { type: "number" }, address: { type: "object", properties: { city: { type: "string" } } } },
      },
      key_properties: ["id"],
      metadata: [{ breadcrumb: [], metadata: { "table-key-properties": ["id"] } }],
    },
    {
      tap_stream_id: "order_items",
      stream: "order_items",
      schema: { type: "object", properties: { id: { type: "integer" }, sku: { type: "string" } } },
      metadata: [],
    },
    { tap_stream_id: "__proto__", stream: "__proto__", schema: { type: "object", properties: { constructor: { type: "string" } } }, metadata: [] },
  ],
};

const stream = (catalog: Catalog, name: string) => catalog.streams.find((entry) => entry.tap_stream_id === name);

describe("catalog overrides", () => {
  it("replaces the given keys of a property's schema, nested by dots, and leaves the rest", () => {
    const { catalog, problems } = applyCatalogOverrides(CATALOG, {
      schema: { orders: { amount: { type: ["number", "null"] }, "address.city": { maxLength: 10 } } },
    });
    expect(problems).toEqual([]);
    expect(stream(catalog, "orders")?.schema).toEqual({
      type: "object",
      properties: {
        id: { type: "integer" },
        amount: { type: ["number", "null"] },
        address: { type: "object", properties: { city: { type: "string", maxLength: 10 } } },
      },
    });
    // The input is not changed.
    expect((CATALOG.streams[0]?.schema["properties"] as Record<string, unknown>)["amount"]).toEqual({ type: "number" });
  });

  it("sets stream metadata on every stream a glob matches, and a property's from a table", () => {
    const { catalog, problems } = applyCatalogOverrides(CATALOG, {
      metadata: { "order*": { "replication-method": "FULL_TABLE", id: { inclusion: "automatic" } } },
    });
    expect(problems).toEqual([]);
    for (const name of ["orders", "order_items"]) {
      expect(stream(catalog, name)?.metadata).toContainEqual({
        breadcrumb: [],
        metadata: expect.objectContaining({ "replication-method": "FULL_TABLE" }) as unknown,
      });
      expect(stream(catalog, name)?.metadata).toContainEqual({ breadcrumb: ["properties", "id"], metadata: { inclusion: "automatic" } });
      expect(stream(catalog, name)?.replication_method).toBe("FULL_TABLE");
    }
    expect(stream(catalog, "__proto__")?.metadata).toEqual([]);
  });

  it("keeps streams and properties named like Object.prototype members as data", () => {
    // JSON.parse makes "__proto__" an own key, as a TOML or JSON file does.
    const schema = JSON.parse('{"__proto__": {"constructor": {"maxLength": 3}}}') as Record<string, Record<string, Record<string, unknown>>>;
    const { catalog, problems } = applyCatalogOverrides(CATALOG, { schema });
    expect(problems).toEqual([]);
    const properties = stream(catalog, "__proto__")?.schema["properties"] as Record<string, unknown>;
    expect(Object.hasOwn(properties, "constructor")).toBe(true);
    expect(properties["constructor"]).toEqual({ type: "string", maxLength: 3 });
  });

  it("names each missing stream, property or bad value with the nearest names, without stopping at the first", () => {
    const { problems } = applyCatalogOverrides(CATALOG, {
      metadata: {
        ordrs: { "replication-method": "FULL_TABLE" },
        orders: { "replication-method": "SOMETIMES", "replication-key": "amont", "replication-methd": "x" },
      },
      schema: { "order*": { sku2: { type: "string" } }, orders: { "address.town": { type: "string" } } },
    });
    expect(problems.map((problem) => [problem.path.join("."), problem.message])).toEqual([
      ["schema.order*.sku2", 'schema.order*.sku2: stream "orders" has no property "sku2"; its properties: "id", "amount", "address", "address.city"'],
      ["schema.orders.address.town", 'schema.orders.address.town: stream "orders" has no property "address.town"; did you mean "address.city" or "address"?'],
      ["metadata.ordrs", 'metadata names stream "ordrs", which the catalog does not have; did you mean "orders"?'],
      ["metadata.orders.replication-method", 'metadata.orders.replication-method is "SOMETIMES"; it must be one of "FULL_TABLE", "INCREMENTAL", "LOG_BASED"'],
      ["metadata.orders.replication-key", 'metadata.orders.replication-key: stream "orders" has no property "amont"; did you mean "amount"?'],
      ["metadata.orders.replication-methd", 'metadata.orders.replication-methd: unknown metadata key "replication-methd"; did you mean "replication-method"?'],
    ]);
  });

  it("under a stream glob, a property some matched streams have is fine", () => {
    expect(applyCatalogOverrides(CATALOG, { schema: { "order*": { sku: { type: "integer" } } } }).problems).toEqual([]);
  });
});

describe("nearest names", () => {
  it("finds close spellings, case-only differences first, and names that begin with the one wanted", () => {
    expect(nearestNames("Orders", ["orders", "ordered", "users"])).toEqual(["orders", "ordered"]);
    expect(nearestNames("updated", ["updated_at", "id"])).toEqual(["updated_at"]);
    expect(nearestNames("zzz", ["orders", "users"])).toEqual([]);
  });
});
