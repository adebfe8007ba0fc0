import { randomBytes } from "node:crypto";
import { inject } from "vitest";

/** The test server's URL (test/setup/postgres.ts), or undefined with the reason logged once. */
export function postgresUrl(): string | undefined {
  const server = inject("postgres");
  if (server.url === undefined && !warned) {
    warned = true;
    console.warn(server.skip ?? "no PostgreSQL server for the tests");
  }
  return server.url;
}
let warned = false;

/** A location on the test server with a schema of its own: a fresh, empty store each call. */
export function freshPostgresStore(url: string, prefix = "t"): string {
  const location = new URL(url);
  location.searchParams.set("schema", `${prefix}_${randomBytes(6).toString("hex")}`);
  return location.toString();
}
