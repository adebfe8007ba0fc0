import { describe, expect, it } from "vitest";
import { buildMiddleware } from "../../../runner/middleware/build-middleware.js";
import { MiddlewareChain } from "../../../runner/middleware/chain.js";
import type { MiddlewareSpec, StreamShape } from "../../../runner/middleware/types.js";
import { tempDir } from "../../helpers/processes.js";

const shape: StreamShape = {
  stream: "users",
  schema: {
    type: "object",
    properties: {
      id: { type: "integer" },
      email: { type: "string" },
      name: { type: "string" },
      card: { type: "string" },
      amount: { type: "string" },
      joined: { type: "integer" },
    },
    required: ["id", "email"],
  },
  keyProperties: ["id"],
};
const user = { id: 1, email: "ann@example.com", name: "Ann", card: "4111111111111111", amount: "12.50", joined: 1_700_000_000 };

async function chainOf(specs: MiddlewareSpec[]): Promise<{ chain: MiddlewareChain; output: StreamShape }> {
  const chain = new MiddlewareChain(await buildMiddleware(specs, process.cwd(), tempDir("agora-builtins-runs-")));
  const output = await chain.setSchema(shape);
  return { chain, output };
}

async function apply(specs: MiddlewareSpec[], record: Record<string, unknown> = user): Promise<unknown> {
  const { chain } = await chainOf(specs);
  const result = await chain.process(record, "users");
  return result.kind === "record" ? result.record : result;
}

describe("built-in middleware", () => {
  it("select keeps the listed fields and the key, in records and the schema", async () => {
    const { output } = await chainOf([{ type: "select", fields: ["name"] }]);
    expect(Object.keys(output.schema["properties"] as object)).toEqual(["id", "name"]);
    expect(output.schema["required"]).toEqual(["id"]);
    expect(await apply([{ type: "select", fields: ["name"] }])).toEqual({ id: 1, name: "Ann" });
  });

  it("drop removes fields", async () => {
    expect(await apply([{ type: "drop", fields: ["email", "card"] }])).toEqual({ id: 1, name: "Ann", amount: "12.50", joined: 1_700_000_000 });
  });

  it("rename renames fields, keys included", async () => {
    const { output } = await chainOf([{ type: "rename", fields: { id: "user_id", name: "full_name" } }]);
    expect(output.keyProperties).toEqual(["user_id"]);
    expect(await apply([{ type: "rename", fields: { id: "user_id", name: "full_name" } }])).toMatchObject({ user_id: 1, full_name: "Ann" });
  });

  it("filter drops records for which the expression is false", async () => {
    expect(await apply([{ type: "filter", where: 'name == "Bob"' }])).toEqual({ kind: "dropped" });
    expect(await apply([{ type: "filter", where: 'name == "Ann"' }])).toEqual(user);
  });

  it("mask hides values, keeping the last characters when asked", async () => {
    expect(await apply([{ type: "mask", fields: ["card"], keep_last: 4 }])).toMatchObject({ card: "****1111" });
    expect(await apply([{ type: "mask", fields: ["email"], with: "[redacted]" }])).toMatchObject({ email: "[redacted]" });
  });

  it("hash turns values into SHA-256 digests (checked against Python's hashlib); a salt changes them", async () => {
    const plain = (await apply([{ type: "hash", fields: ["email"] }])) as { email: string };
    expect(plain.email).toBe("71d4f55f72fa128dfb468a1a3901507c804b74316488744d769d7f4b16696476");
    const salted = (await apply([{ type: "hash", fields: ["email"], salt: "pepper" }])) as { email: string };
    expect(salted.email).toMatch(/^[0-9a-f]{64}$/);
    expect(salted.email).not.toBe(plain.email);
  });

  it("add_fields adds constants and derived fields, with their schema", async () => {
    const specs: MiddlewareSpec[] = [{ type: "add_fields", fields: { source: "crm", label: { expression: 'upper(name) + "#" + id', type: "string" } } }];
    const { output } = await chainOf(specs);
    expect((output.schema["properties"] as Record<string, unknown>)["source"]).toEqual({ type: "string" });
    expect((output.schema["properties"] as Record<string, unknown>)["label"]).toEqual({ type: ["null", "string"] });
    expect(await apply(specs)).toMatchObject({ source: "crm", label: "ANN#1" });
  });

  it("coerce converts types, and fails the record (for the DLQ) when it cannot", async () => {
    expect(await apply([{ type: "coerce", fields: { amount: "number", joined: "date-time", id: "string" } }])).toMatchObject({
      amount: 12.5,
      joined: "2023-11-14T22:13:20.000Z",
      id: "1",
    });
    expect(await apply([{ type: "coerce", fields: { name: "integer" } }])).toEqual({
      kind: "failed",
      step: "middleware[0] coerce",
      code: "COERCE_FAILED",
      message: 'field name: cannot turn "Ann" into integer',
    });
  });

  it("applies a step only to its streams", async () => {
    const { chain } = await chainOf([{ type: "drop", fields: ["email"], streams: ["orders"] }]);
    expect(await chain.process(user, "users")).toMatchObject({ kind: "record", record: user, changed: false });
  });

  it.each([
    [{ type: "shout" }, /unknown middleware type "shout"/],
    [{ type: "select" }, /middleware\[0\] \(select\) needs "fields"/],
    [{ type: "drop", fields: ["a"], colour: "red" }, /has no option "colour"/],
    [{ type: "filter", where: "total >" }, /unexpected end/],
  ])("rejects a bad spec %j with a clear message", async (spec, message) => {
    await expect(buildMiddleware([spec as MiddlewareSpec], process.cwd(), tempDir("agora-builtins-runs-"))).rejects.toThrowError(message);
  });
});
