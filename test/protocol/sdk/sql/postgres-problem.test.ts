import pg from "pg";
import { describe, expect, it } from "vitest";
import { postgresProblem } from "../../../../protocol/index.js";
import { postgresUrl } from "../../../helpers/postgres.js";

/** What a query on the test server throws. */
async function failureOf(sql: string, url = postgresUrl() as string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(sql);
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error(`${sql} did not fail`);
}

describe("postgresProblem", () => {
  it("tells a refused connection (nothing listens) as unreachable and transient", async () => {
    const problem = postgresProblem(await failureOf("SELECT 1", "postgres://agora@127.0.0.1:9/x"));
    expect(problem).toMatchObject({ kind: "unreachable", code: "ECONNREFUSED", transient: true });
  });

  it.skipIf(postgresUrl() === undefined)("tells the server's own refusals apart by SQLSTATE code and class", async () => {
    const missing = new URL(postgresUrl() as string);
    missing.pathname = "/agora_no_such_database";
    expect(postgresProblem(await failureOf("SELECT 1", missing.toString()))).toMatchObject({ kind: "no-database", code: "3D000", transient: false });
    expect(postgresProblem(await failureOf("SELECT 1/0"))).toMatchObject({ kind: "value-refused", code: "22012" });
    expect(postgresProblem(await failureOf("SELECT 'x'::integer"))).toMatchObject({ kind: "value-refused", code: "22P02" });
    expect(postgresProblem(await failureOf("SELECT * FROM agora_no_such_table"))).toMatchObject({ kind: "server-error", code: "42P01", transient: false });
    const conflict = await failureOf("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$");
    expect(postgresProblem(conflict)).toMatchObject({ kind: "conflict", transient: true });
    const full = await failureOf("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '53100'; END $$");
    expect(postgresProblem(full)).toMatchObject({ kind: "disk-full", transient: false });
    const tooMany = await failureOf("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '53300'; END $$");
    expect(postgresProblem(tooMany)).toMatchObject({ kind: "out-of-resources", transient: true });
  });

  it("reads the driver's words where there is no code: SSL refused, no answer in time, a connection ended", () => {
    expect(postgresProblem(new Error("The server does not support SSL connections")).kind).toBe("no-ssl");
    expect(postgresProblem(new Error("Query read timeout")).kind).toBe("timed-out");
    expect(postgresProblem(new Error("Connection terminated unexpectedly"))).toMatchObject({ kind: "connection-lost", transient: true });
    expect(postgresProblem(new TypeError("x is not a function"))).toMatchObject({ kind: "not-postgres", code: undefined });
  });
});
