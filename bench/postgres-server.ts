import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway PostgreSQL server, or why there is none. */
/** A running server: its URL, its folder (the data in `data/`, its pid in `data/postmaster.pid`), and how to stop it. */
export type ThrowawayPostgres = { readonly url: string; readonly dir: string; stop(): void } | { readonly url: undefined; readonly reason: string };

/**
 * Starts Debian's PostgreSQL with the project's script (.ci/postgres.sh) in
 * a temporary folder of its own (as root the server runs as the postgres
 * user, who must be able to enter it) on a free port of 127.0.0.1. For the
 * tests' global setup, the bench and the fleet script.
 */
export async function startThrowawayPostgres(root: string): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "agora-postgres-"));
  const script = join(root, ".ci", "postgres.sh");
  try {
    const url = execFileSync("bash", [script, "start", dir, String(await freePort())], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    return { url, dir, stop: () => execFileSync("bash", [script, "stop", dir], { stdio: "ignore" }) };
  } catch (error) {
    const said =
      String((error as { stderr?: unknown }).stderr ?? (error as Error).message)
        .trim()
        .split("\n")[0] ?? "";
    return { url: undefined, reason: `no PostgreSQL server could start here (${said})` };
  }
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
