import { describe, expect, it } from "vitest";
import { diffColumns, keyedProperties, refuseChangedKeys } from "../../../../protocol/index.js";

const holds = (stored: string, wanted: string) => stored === wanted || stored === "ANY";

describe("diffColumns", () => {
  it("lists the columns to add and to retype, in the schema's order, and leaves the catch-all and unknown columns alone", () => {
    const existing = new Map([
      ["id", "INTEGER"],
      ["name", "TEXT"],
      ["loose", "ANY"],
      ["dropped_from_schema", "TEXT"],
    ]);
    const wanted = new Map([
      ["id", "INTEGER"],
      ["price", "ANY"],
      ["name", "INTEGER"],
      ["loose", "TEXT"],
      ["constructor", "TEXT"],
    ]);
    expect(diffColumns(existing, wanted, { holds })).toEqual({
      added: ["price", "constructor"],
      retyped: [{ name: "name", stored: "TEXT", wanted: "INTEGER" }],
    });
  });

  it("finds a column by the engine's key, so a name that differs only in case is the same column where the engine says so", () => {
    const existing = new Map([["amount", "DOUBLE"]]);
    const changes = diffColumns(existing, new Map([["Amount", "DECIMAL(10,2)"]]), { keyOf: (name) => name.toLowerCase(), holds });
    expect(changes).toEqual({ added: [], retyped: [{ name: "Amount", stored: "DOUBLE", wanted: "DECIMAL(10,2)" }] });
    expect(diffColumns(existing, new Map([["Amount", "DOUBLE"]]), { holds }).added).toEqual(["Amount"]);
  });
});

describe("the checks of a stream's table", () => {
  const stream = { name: "orders", schema: { properties: { id: { type: "integer" }, region: { type: "string" } } }, keyProperties: ["region", "id"] };

  it("takes key properties that are properties, and refuses one that is not, naming it", () => {
    expect(Object.keys(keyedProperties(stream))).toEqual(["id", "region"]);
    expect(() => keyedProperties({ ...stream, keyProperties: ["__proto__"] })).toThrow('key property "__proto__" is not in the stream\'s schema');
  });

  it("refuses a table keyed otherwise, order included, saying which table to drop or rename", () => {
    expect(() => refuseChangedKeys(["region", "id"], stream, "main.orders")).not.toThrow();
    expect(() => refuseChangedKeys(["id", "region"], stream, "main.orders", { file: "w.db" })).toThrow(
      expect.objectContaining({
        code: "KEYS_CHANGED",
        message: "the table's key is (id, region) but the stream's key properties are (region, id)",
        where: { stream: "orders", file: "w.db" },
        hint: "Drop or rename table main.orders, or keep the stream's key properties unchanged.",
      }),
    );
  });
});
