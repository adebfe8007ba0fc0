import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exited, tempDir } from "../../helpers/processes.js";
import { agora, projectIn } from "../../helpers/project.js";
import { type ServingConsole, startServingConsole } from "../../helpers/web-console.js";

const TAP = join(import.meta.dirname, "..", "..", "fixtures", "python", "tap_orders.py");
const TOKEN = "http-test-token";
const SECRET = "pa55-word-in-config";

/** `agora console` on a free port, over a project whose tap's config holds a secret and whose first run dead-letters order 3. */
async function consoleOver(args: string[], folder = tempDir("agora-console-http-")): Promise<ServingConsole & { dir: string }> {
  const dir = projectIn(
    folder,
    `state_store = ".agora/state.db"
[connectors.orders]
command = "python3 ${TAP}"
config = { api_token = "${SECRET}", note = "${SECRET}" }
[connectors.warehouse]
command = "target-sqlite"
config = { database = "warehouse.db" }
[pipelines.shop]
tap = "orders"
targets = ["warehouse"]
on_error = "dlq"
`,
  );
  const first = await agora(dir, ["run", "shop", "--no-progress"]);
  expect(first.exitCode, first.stderr).toBe(0);
  return { ...(await startServingConsole(dir, ["console", "--port", "0", ...args])), dir };
}

async function signIn(url: string, token: string): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${url}/login`, { method: "POST", body: new URLSearchParams({ token }), redirect: "manual" });
  expect(login.status).toBe(303);
  expect(login.headers.get("location")).toBe("/");
  const setCookie = login.headers.get("set-cookie") ?? "";
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Strict/);
  const cookie = setCookie.split(";")[0] as string;
  const session = (await (await fetch(`${url}/api/session`, { headers: { cookie } })).json()) as { csrf: string };
  return { cookie, csrf: session.csrf };
}

describe("agora console over HTTP", () => {
  // Made here, not in beforeAll: a folder made there has no hook left to remove it.
  const folder = tempDir("agora-console-http-");
  let server: Awaited<ReturnType<typeof consoleOver>>;
  beforeAll(async () => {
    server = await consoleOver(["--token", TOKEN], folder);
  }, 60_000);
  afterAll(async () => {
    server.child.kill("SIGTERM");
    expect((await exited(server.child)).code).toBe(0);
  });

  it("takes no action without the session's CSRF token, and one with it", async () => {
    const { cookie, csrf } = await signIn(server.url, TOKEN);
    const purge = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/pipelines/shop/purge`, { method: "POST", headers: { cookie, ...headers }, body: JSON.stringify({ status: "done" }) });
    const refused = await purge({});
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("CSRF_TOKEN_MISSING");
    expect((await purge({ "x-csrf-token": "forged" })).status).toBe(403);
    const done = await purge({ "x-csrf-token": csrf });
    expect(await done.json()).toEqual({ removed: 0, line: "deleted 0 dead letter(s) of shop" });
  });

  it("answers a script with the bearer token, and refuses a session signed with another token", async () => {
    const letters = await fetch(`${server.url}/api/pipelines/shop/dead-letters?status=all`, { headers: { authorization: `bearer ${TOKEN}` } });
    const body = (await letters.json()) as { total: number; letters: Array<{ id: number; stream: string; errorCode: string }> };
    expect(body.total).toBe(1);
    expect(body.letters.map(({ stream, errorCode }) => [stream, errorCode])).toEqual([["orders", "RECORD_INVALID"]]);
    const forged = `agora_session=${Date.now() + 60_000}.not-a-signature`;
    expect((await fetch(`${server.url}/api/pipelines`, { headers: { cookie: forged } })).status).toBe(401);
  });

  it("masks the config's secret in every answer, and keeps names that are data apart from objects' own keys", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    // The tap put its api_token's value in each record (as `note`): the dead letter shows it masked.
    const letter = (await (await fetch(`${server.url}/api/pipelines/shop/dead-letters/1`, { headers: auth })).json()) as {
      recordText: string;
      arrivedText: string;
    };
    expect(letter.arrivedText).toBe('{"id": 3, "amount": "twelve", "note": "***"}');
    expect(JSON.parse(letter.recordText)).toEqual({ id: 3, amount: "twelve", note: "***" });
    for (const name of ["__proto__", "constructor", "toString", "SHOP"]) {
      const answer = await fetch(`${server.url}/api/pipelines/${encodeURIComponent(name)}/runs`, { headers: auth });
      expect([name, answer.status]).toEqual([name, 404]);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe("PIPELINE_NOT_FOUND");
    }
  });

  it("says in one line that its port is taken, and exits failing, when another console has it", async () => {
    const port = new URL(server.url).port;
    const second = await agora(server.dir, ["console", "--port", port, "--token", TOKEN]);
    expect(second.exitCode).not.toBe(0);
    expect(second.stderr.trim().split("\n")).toEqual([
      `agora error: port ${port} on 127.0.0.1 is in use. Choose another with --port (or health_port in [worker]); 0 picks a free one. [HEALTH_PORT_UNAVAILABLE]`,
    ]);
  });

  it("refuses a bad filter, a body over 1 MiB and an unknown path, each in one line", async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const badStage = await fetch(`${server.url}/api/pipelines/shop/dead-letters?stage=nope`, { headers: auth });
    expect(badStage.status).toBe(400);
    expect(((await badStage.json()) as { error: { message: string } }).error.message).toContain('no stage "nope"');
    const huge = await fetch(`${server.url}/api/pipelines/shop/replay`, { method: "POST", headers: auth, body: "x".repeat(1_100_000) }).catch(
      (error: Error) => error,
    );
    if (!(huge instanceof Error)) expect(huge.status).toBe(400);
    expect((await fetch(`${server.url}/api/nothing`, { headers: auth })).status).toBe(404);
    const broken = await fetch(`${server.url}/api/pipelines/%E0%A4%A/runs`, { headers: auth });
    expect([broken.status, ((await broken.json()) as { error: { code: string } }).error.code]).toEqual([400, "BAD_PATH"]);
  });
});

describe("agora console --read-only", () => {
  it("shows everything and refuses every action", async () => {
    const server = await consoleOver(["--token", TOKEN, "--read-only"]);
    try {
      const { cookie, csrf } = await signIn(server.url, TOKEN);
      const session = (await (await fetch(`${server.url}/api/session`, { headers: { cookie } })).json()) as { readOnly: boolean };
      expect(session.readOnly).toBe(true);
      const replay = await fetch(`${server.url}/api/pipelines/shop/replay`, {
        method: "POST",
        headers: { cookie, "x-csrf-token": csrf },
        body: JSON.stringify({ ids: [1] }),
      });
      expect(replay.status).toBe(403);
      expect(((await replay.json()) as { error: { code: string } }).error.code).toBe("CONSOLE_READ_ONLY");
      const letters = await fetch(`${server.url}/api/pipelines/shop/dead-letters`, { headers: { cookie } });
      expect(((await letters.json()) as { letters: Array<{ status: string }> }).letters.map((letter) => letter.status)).toEqual(["pending"]);
    } finally {
      server.child.kill("SIGTERM");
      await exited(server.child);
    }
  }, 60_000);

  it("without a token makes one, prints it after # in the address, and signs in with it", async () => {
    const server = await consoleOver([]);
    try {
      const made = /\/login#token=([\w-]+) /.exec(server.said())?.[1];
      expect(made).toMatch(/^[\w-]{32}$/);
      expect((await fetch(`${server.url}/api/pipelines`)).status).toBe(401);
      const { cookie } = await signIn(server.url, made as string);
      const pipelines = (await (await fetch(`${server.url}/api/pipelines`, { headers: { cookie } })).json()) as Array<{ pipeline: string }>;
      expect(pipelines.map((row) => row.pipeline)).toEqual(["shop"]);
    } finally {
      server.child.kill("SIGTERM");
      await exited(server.child);
    }
  }, 60_000);
});
