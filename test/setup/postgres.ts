import type { TestProject } from "vitest/node";
import { startThrowawayPostgres } from "../../bench/postgres-server.js";

/**
 * Vitest's global setup: a real PostgreSQL server for the tests that need
 * one, started by the project's own script (.ci/postgres.sh) in a temporary
 * folder on a free port of 127.0.0.1, and stopped when the tests end.
 * AGORA_TEST_POSTGRES_URL points the tests at a server of your own instead.
 * Where no server can start, those tests are skipped and say why; with
 * AGORA_REQUIRE_POSTGRES=1 (CI) that is a failure instead.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env["AGORA_TEST_POSTGRES_URL"];
  if (given !== undefined && given !== "") {
    project.provide("postgres", { url: given });
    return undefined;
  }
  const server = await startThrowawayPostgres(project.config.root);
  if (server.url === undefined) {
    if (process.env["AGORA_REQUIRE_POSTGRES"] === "1") throw new Error(`${server.reason}; CI requires one (AGORA_REQUIRE_POSTGRES=1)`);
    project.provide("postgres", { skip: `${server.reason}: the tests that need Postgres are skipped` });
    return undefined;
  }
  project.provide("postgres", { url: server.url });
  return () => server.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    postgres: { readonly url?: string; readonly skip?: string };
  }
}
