import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

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
  const dir = mkdtempSync(join(tmpdir(), "agora-postgres-"));
  const script = join(project.config.root, ".ci", "postgres.sh");
  try {
    const url = execFileSync("bash", [script, "start", dir, String(await freePort())], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    project.provide("postgres", { url });
  } catch (error) {
    const said = String((error as { stderr?: unknown }).stderr ?? (error as Error).message).trim().split("\n")[0] ?? "";
    const reason = `no PostgreSQL server could start here (${said})`;
    if (process.env["AGORA_REQUIRE_POSTGRES"] === "1") throw new Error(`${reason}; CI requires one (AGORA_REQUIRE_POSTGRES=1)`);
    project.provide("postgres", { skip: `${reason}: the tests that need Postgres are skipped` });
    return undefined;
  }
  return () => {
    execFileSync("bash", [script, "stop", dir], { stdio: "ignore" });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

declare module "vitest" {
  export interface ProvidedContext {
    postgres: { readonly url?: string; readonly skip?: string };
  }
}
