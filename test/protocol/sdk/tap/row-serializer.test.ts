import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rowSerializer } from "../../../../protocol/sdk/tap/row-serializer.js";
import { ExactNumber } from "../../../../protocol/index.js";

/** The record the columns and values make, built as an object would be. */
function asObject(columns: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const record = Object.create(null) as Record<string, unknown>;
  for (const [index, name] of columns.entries()) record[name] = values[index];
  return record;
}

const columnName = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("__proto__", "constructor", "toString", "0", "1", "10", "01", "-1", "4294967294", "4294967295", 'a"b', "é", "\u2028", "select"),
);
const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21, 5e-324, "\ud800", () => 1),
  fc.double(),
  fc.string({ unit: "binary" }),
);

describe("rowSerializer", () => {
  it("writes exactly what JSON.stringify writes for the record the row makes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(columnName, value), { maxLength: 12 }), (pairs) => {
        const columns = pairs.map(([name]) => name);
        const values = pairs.map(([, one]) => one);
        expect(rowSerializer(columns, undefined)(values)).toBe(JSON.stringify(asObject(columns, values)));
      }),
      { numRuns: 5000 },
    );
  });

  it("leaves out the columns a projection drops and projects nested objects", () => {
    const projection = Object.assign(Object.create(null) as Record<string, unknown>, { id: true, address: { city: true } });
    projection["__proto__"] = true;
    const serialize = rowSerializer(["id", "secret", "address", "__proto__"], projection as never);
    expect(serialize([1, "x", { city: "Lyon", street: "rue" }, "p"])).toBe('{"id":1,"address":{"city":"Lyon"},"__proto__":"p"}');
  });

  it("writes a BigInt and an exact number as their digits, and throws JSON.stringify's own error for a value it cannot write", () => {
    expect(rowSerializer(["n", "m"], undefined)([12345678901234567890n, new ExactNumber("1.50000000000000000001")])).toBe(
      '{"n":12345678901234567890,"m":1.50000000000000000001}',
    );
    const circular: Record<string, unknown> = {};
    circular["self"] = circular;
    expect(() => rowSerializer(["n"], undefined)([circular])).toThrow(TypeError);
  });
});
