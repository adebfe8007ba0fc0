import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { recordsOf, statesOf, writeJsonIn } from "../../helpers/files.js";
import { json, startServer, type SeenRequest } from "../../helpers/http-server.js";
import { freshPostgresStore, postgresUrl } from "../../helpers/postgres.js";
import { connectorBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

const tap = connectorBin("tap-rest");
const dir = tempDir("agora-rest-");

/** 23 items, updated_at increasing with id. */
const ITEMS = Array.from({ length: 23 }, (_, index) => ({
  id: index + 1,
  name: `item ${index + 1}`,
  updated_at: new Date(Date.UTC(2024, 0, 1) + index * 3600_000).toISOString(),
}));
const after = (request: SeenRequest): typeof ITEMS => ITEMS.filter((item) => item.updated_at > (request.query.get("updated_since") ?? ""));

/** Serves ITEMS under several pagination styles; `faults` may answer a request instead. */
let faults: (request: SeenRequest, nth: number) => ((response: import("node:http").ServerResponse) => void) | undefined = () => undefined;
const server = await startServer((request, response, nth) => {
  const fault = faults(request, nth);
  if (fault !== undefined) return fault(response);
  const items = after(request);
  if (request.path === "/page") {
    const page = Number(request.query.get("page") ?? 1);
    const size = Number(request.query.get("per_page") ?? 10);
    return json(response, { data: items.slice((page - 1) * size, page * size) });
  }
  if (request.path === "/offset") {
    const offset = Number(request.query.get("offset") ?? 0);
    return json(response, { results: items.slice(offset, offset + Number(request.query.get("limit"))) });
  }
  if (request.path === "/cursor") {
    const start = Number(request.query.get("cursor") ?? 0);
    const next = start + 7 < items.length ? String(start + 7) : null;
    return json(response, { items: items.slice(start, start + 7), meta: { next } });
  }
  if (request.path === "/link") {
    const page = Number(request.query.get("p") ?? 0);
    const headers: Record<string, string> = page * 9 + 9 < items.length ? { link: `<${server.url}/link?p=${page + 1}>; rel="next"` } : {};
    return json(response, items.slice(page * 9, page * 9 + 9), 200, headers);
  }
  if (request.path === "/snowflakes") {
    // Written by hand: ids and sequence numbers past 2^53, which JSON.parse would round.
    const since = request.query.get("after_seq");
    const rows = ['{"id":9007199254740993,"seq":9007199254740995}', '{"id":9007199254740997,"seq":9007199254740994}'];
    response.writeHead(200, { "content-type": "application/json" }).end(`{"data":[${since === null ? rows.join(",") : ""}]}`);
    return undefined;
  }
  if (request.path === "/bad-json") {
    response.writeHead(200, { "content-type": "application/json" }).end('{"data": [1, 2');
    return undefined;
  }
  response.writeHead(404).end("no such path");
  return undefined;
});

function config(streams: Array<Record<string, unknown>>, settings: Record<string, unknown> = {}): string {
  return writeJsonIn(dir, `c-${Math.random()}.json`, {
    base_url: server.url,
    backoff_seconds: 0.05,
    max_backoff_seconds: 0.2,
    requests_per_second: 1000,
    cache_path: `${dir}/cache-${Math.random()}.db`,
    streams,
    ...settings,
  });
}

const pageStream = { name: "items", path: "/page", records_path: "data", primary_key: ["id"], pagination: { style: "page", size: 10 } };

async function sync(configFile: string, extra: string[] = []) {
  const result = await runNode(tap, ["--config", configFile, ...extra]);
  return { ...result, messages: result.stdout === "" || extra.includes("--discover") ? [] : jsonLines(result.stdout) };
}

describe("tap-rest pagination", () => {
  it.each([
    ["page", pageStream],
    ["offset", { name: "items", path: "/offset", records_path: "results", primary_key: ["id"], pagination: { style: "offset", limit: 5 } }],
    ["cursor", { name: "items", path: "/cursor", records_path: "items", primary_key: ["id"], pagination: { style: "cursor", cursor_path: "meta.next" } }],
    ["link", { name: "items", path: "/link", primary_key: ["id"], pagination: { style: "link" } }],
  ])("%s: every record exactly once, in order", async (_style, stream) => {
    faults = () => undefined;
    const result = await sync(config([stream]));
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages).map((record) => record["id"])).toEqual(ITEMS.map((item) => item.id));
  });

  it("infers the schema on --discover", async () => {
    faults = () => undefined;
    const result = await sync(config([{ ...pageStream, replication_key: "updated_at" }]), ["--discover"]);
    const catalog = JSON.parse(result.stdout) as { streams: Array<{ schema: { properties: Record<string, unknown> }; replication_key: string }> };
    expect(catalog.streams[0]?.schema.properties).toEqual({
      id: { type: "integer" },
      name: { type: ["null", "string"] },
      updated_at: { type: ["null", "string"], format: "date-time" },
    });
    expect(catalog.streams[0]?.replication_key).toBe("updated_at");
  });
});

describe("tap-rest faults", () => {
  it("survives 429 with Retry-After, 500s, a hung response and a reset connection, emitting each record once", async () => {
    const seen = new Map<string, number>();
    faults = (request) => {
      const key = `${request.path}?${request.query.toString()}`;
      const count = (seen.get(key) ?? 0) + 1;
      seen.set(key, count);
      const page = request.query.get("page");
      if (page === "1" && count === 1) return (response) => response.writeHead(429, { "retry-after": "1" }).end();
      if (page === "2" && count <= 2) return (response) => response.writeHead(500).end("oops");
      if (page === "3" && count === 1) return () => undefined; // never answers: the client times out
      if (page === "3" && count === 2) return (response) => response.socket?.destroy(); // connection reset
      return undefined;
    };
    const started = server.requests.length;
    const result = await sync(config([pageStream], { timeout_seconds: 0.5, breaker_threshold: 10 }));
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages).map((record) => record["id"])).toEqual(ITEMS.map((item) => item.id));
    const retried = server.requests.slice(started).filter((request) => request.query.get("page") === "1");
    // Retry-After: 1 was honoured between the 429 and the retry of page 1 during the sync.
    const gaps = retried.slice(1).map((request, index) => request.at - (retried[index] as SeenRequest).at);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(950);
    expect(result.stderr).toMatch(/page=3.*timed out after 0\.5 s; attempt 1/);
    expect(result.stderr).toMatch(/page=3.*connection failed/);
  });

  it("fails with one clear line on malformed JSON", async () => {
    faults = () => undefined;
    const result = await sync(config([{ name: "bad", path: "/bad-json", records_path: "data" }]));
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split("\n").at(-1)).toMatch(
      /^tap-rest error: tap-rest: GET http:\/\/127\.0\.0\.1:\d+\/bad-json returned malformed JSON .*"\{\\"data\\": \[1, 2"\. .*\[HTTP_MALFORMED_JSON\]$/,
    );
  });

  it("opens the circuit breaker in a long outage and fails with one line saying what was tried", async () => {
    faults = () => (response) => response.writeHead(503).end("down");
    const result = await sync(config([pageStream], { max_retries: 4, breaker_threshold: 2, breaker_cooldown_seconds: 0.2 }), ["--test_connection"]);
    expect(result.exitCode).toBe(1);
    const line = result.stderr.trim().split("\n").at(-1) ?? "";
    expect(line).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/page failed 5 time\(s\) over [\d.]+ s: 503, 503, circuit open, 503, /);
    expect(line).toContain("[HTTP_GAVE_UP]");
  });

  it("says the credentials were refused, masking secrets in the URL", async () => {
    faults = () => (response) => response.writeHead(401).end("bad key");
    const result = await sync(config([pageStream], { auth: { type: "api_key", name: "api_key", value: "SECRET123", in: "query" } }), ["--test_connection"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("api_key=***");
    expect(result.stderr).not.toContain("SECRET123");
    expect(result.stderr).toContain("was refused with 401: bad key. Check the credentials in the config (auth). [HTTP_UNAUTHORIZED]");
  });

  it("sends bearer and basic credentials", async () => {
    faults = () => undefined;
    const start = server.requests.length;
    await sync(config([pageStream], { auth: { type: "bearer", token: "t0k" } }), ["--test_connection"]);
    await sync(config([pageStream], { auth: { type: "basic", username: "ann", password: "pw" } }), ["--test_connection"]);
    const [bearer, basic] = server.requests.slice(start);
    expect(bearer?.headers.authorization).toBe("Bearer t0k");
    expect(basic?.headers.authorization).toBe(`Basic ${Buffer.from("ann:pw").toString("base64")}`);
  });
});

describe("tap-rest cache", () => {
  it("answers from the cache within the TTL", async () => {
    faults = () => undefined;
    const file = config([pageStream], { cache_ttl_seconds: 3600, cache_path: `${dir}/cache-within.db` });
    const start = server.requests.length;
    const first = await sync(file);
    const asked = server.requests.length - start;
    expect(asked).toBeGreaterThan(0);
    const second = await sync(file);
    expect(server.requests.length - start).toBe(asked);
    expect(recordsOf(second.messages)).toEqual(recordsOf(first.messages));
  });

  it("asks again once the TTL has passed", async () => {
    faults = () => undefined;
    // A TTL of a millisecond has passed by the time the second process starts: no sleeping needed.
    const file = config([pageStream], { cache_ttl_seconds: 0.001, cache_path: `${dir}/cache-expired.db` });
    const start = server.requests.length;
    await sync(file);
    const asked = server.requests.length - start;
    await sync(file);
    expect(server.requests.length - start).toBe(2 * asked);
  });
});

const pgUrl = postgresUrl();

describe.skipIf(pgUrl === undefined)("tap-rest cache in Postgres", () => {
  it("is shared by taps in other folders (other hosts): made once by taps starting together, answers within the TTL, keys are digests", async () => {
    faults = () => undefined;
    const cache = freshPostgresStore(pgUrl as string, "cache");
    const files = ["a", "b", "c", "d"].map((host) =>
      writeJsonIn(mkdtempSync(`${dir}/host-${host}-`), "tap.json", {
        base_url: server.url,
        requests_per_second: 1000,
        cache_path: cache,
        cache_ttl_seconds: 3600,
        streams: [pageStream],
      }),
    );
    const start = server.requests.length;
    // Four taps at once on a schema nobody made yet: the table is made once, under the advisory lock.
    const first = await Promise.all(files.slice(0, 3).map((file) => sync(file)));
    for (const result of first) expect(result.exitCode, result.stderr).toBe(0);
    const asked = server.requests.length - start;
    const later = await sync(files[3] as string);
    expect(later.exitCode, later.stderr).toBe(0);
    expect(server.requests.length - start).toBe(asked);
    expect(recordsOf(later.messages)).toEqual(ITEMS);

    const db = new pg.Client(pgUrl as string);
    await db.connect();
    try {
      const schema = new URL(cache).searchParams.get("schema") as string;
      const rows = (await db.query(`SELECT key, status FROM "${schema}".http_cache`)).rows as Array<{ key: string; status: number }>;
      expect(rows.length).toBe(3);
      for (const row of rows) expect(row).toEqual({ key: expect.stringMatching(/^[0-9a-f]{64}$/), status: 200 });
    } finally {
      await db.end();
    }
  });

  it("asks again once the TTL has passed, judged on the server's clock", async () => {
    faults = () => undefined;
    const file = config([pageStream], { cache_ttl_seconds: 0.001, cache_path: freshPostgresStore(pgUrl as string, "cache") });
    const start = server.requests.length;
    expect((await sync(file)).exitCode).toBe(0);
    const asked = server.requests.length - start;
    expect((await sync(file)).exitCode).toBe(0);
    expect(server.requests.length - start).toBe(2 * asked);
  });

  it("a cache it cannot open is one line naming the location, its password masked", async () => {
    faults = () => undefined;
    const location = new URL(pgUrl as string);
    location.password = "cache-pass-31";
    location.pathname = "/no_such_database";
    const result = await sync(config([pageStream], { cache_ttl_seconds: 60, cache_path: location.toString() }));
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('database "no_such_database" does not exist');
    expect(result.stderr).toContain(":***@127.0.0.1");
    expect(result.stderr).not.toContain("cache-pass-31");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("tap-rest and secrets", () => {
  const TOKEN = "tok-Q7x-never-shown";

  it("keeps no URL in the cache: a secret in any query parameter is never stored in the clear", async () => {
    faults = () => undefined;
    const cache = `${dir}/cache-secret.db`;
    const file = config([{ ...pageStream, params: { q: TOKEN } }], { cache_ttl_seconds: 3600, cache_path: cache });
    expect((await sync(file)).exitCode).toBe(0);
    const rows = new BetterSqlite3(cache, { readonly: true }).prepare("SELECT key, headers FROM http_cache").all() as Array<{ key: string; headers: string }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.key).toMatch(/^[0-9a-f]{64}$/);
  });

  it("masks its secret settings in what it writes to stderr, a response body that echoes the credential included", async () => {
    faults = (request) =>
      request.path === "/page"
        ? (response) => response.writeHead(400, { "content-type": "text/plain" }).end(`bad request from ${String(request.headers["authorization"])}`)
        : undefined;
    const result = await sync(config([pageStream], { auth: { type: "bearer", token: TOKEN } }));
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain("bad request from Bearer ***");
    expect(result.stderr).not.toContain(TOKEN);
  });
});

describe("tap-rest sync with a catalog", () => {
  it("fetches nothing for a deselected stream, and the selected one's pages once each (no discovery again)", async () => {
    faults = () => undefined;
    const offsetStream = { name: "offsets", path: "/offset", records_path: "results", primary_key: ["id"], pagination: { style: "offset", limit: 5 } };
    const file = config([pageStream, offsetStream]);
    const discovered = await runNode(tap, ["--config", file, "--discover"]);
    const catalog = JSON.parse(discovered.stdout) as {
      streams: Array<{ tap_stream_id: string; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
    };
    for (const stream of catalog.streams) {
      const top = stream.metadata.find((entry) => entry.breadcrumb.length === 0);
      if (top !== undefined) top.metadata["selected"] = stream.tap_stream_id === "items";
    }
    const catalogFile = writeJsonIn(dir, "rest-catalog.json", catalog);
    const start = server.requests.length;
    const result = await sync(file, ["--catalog", catalogFile]);
    expect(result.exitCode).toBe(0);
    expect(recordsOf(result.messages).map((record) => record["id"])).toEqual(ITEMS.map((item) => item.id));
    expect(server.requests.slice(start).map((request) => `${request.path}?${request.query.toString()}`)).toEqual([
      "/page?page=1&per_page=10",
      "/page?page=2&per_page=10",
      "/page?page=3&per_page=10",
    ]);
  });
});

describe("tap-rest resume and rate limit", () => {
  it("resumes after the first STATE with exactly the remaining records", async () => {
    faults = () => undefined;
    const stream = { ...pageStream, replication_key: "updated_at", replication_param: "updated_since", sorted: true };
    const file = config([stream], { state_every_records: 5 });
    const full = await sync(file);
    const [firstState] = statesOf(full.messages);
    expect(firstState).toEqual({ bookmarks: { items: { replication_key: "updated_at", replication_key_value: ITEMS[4]?.updated_at } } });
    const resumed = await sync(file, ["--state", writeJsonIn(dir, "rest-state.json", firstState)]);
    expect(recordsOf(resumed.messages).map((record) => record["id"])).toEqual(ITEMS.slice(5).map((item) => item.id));
  });

  it.each([0, 1])("resumes a cursor-paged stream after STATE #%i with exactly the remaining records", async (which) => {
    faults = () => undefined;
    const stream = { name: "items", path: "/cursor", records_path: "items", primary_key: ["id"], pagination: { style: "cursor", cursor_path: "meta.next" } };
    const file = config([stream], { state_every_records: 5 });
    const full = await sync(file);
    expect(recordsOf(full.messages).map((record) => record["id"])).toEqual(ITEMS.map((item) => item.id));
    const state = statesOf(full.messages)[which];
    // Pages hold 7 records: after 5 records the bookmark is inside the first page, after 10 inside the second.
    expect(state).toEqual({ bookmarks: { items: which === 0 ? { cursor: null, skip: 5 } : { cursor: "7", skip: 3 } } });
    const resumed = await sync(file, ["--state", writeJsonIn(dir, `cursor-state-${which}.json`, state)]);
    expect(recordsOf(resumed.messages).map((record) => record["id"])).toEqual(ITEMS.slice(which === 0 ? 5 : 10).map((item) => item.id));
  });

  it("keeps ids past 2^53 exactly, bookmarks the largest sequence number exactly and resumes from it", async () => {
    const seen: string[] = [];
    faults = (request) => {
      if (request.path === "/snowflakes") seen.push(request.query.get("after_seq") ?? "");
      return undefined;
    };
    const stream = { name: "flakes", path: "/snowflakes", records_path: "data", primary_key: ["id"], replication_key: "seq", replication_param: "after_seq" };
    const file = config([stream]);
    const full = await sync(file);
    expect(full.exitCode, full.stderr).toBe(0);
    // Read as text: JSON.parse here would round what the tap wrote.
    expect(full.stdout).toContain('"record":{"id":9007199254740993,"seq":9007199254740995}');
    expect(full.stdout).toContain('"record":{"id":9007199254740997,"seq":9007199254740994}');
    const stateLine =
      full.stdout
        .split("\n")
        .filter((line) => line.includes('"type":"STATE"'))
        .at(-1) ?? "";
    // 9007199254740995 is the larger: as doubles the two would tie, or order the other way.
    expect(stateLine).toContain('"replication_key_value":9007199254740995');
    const stateFile = join(dir, "flakes-state.json");
    writeFileSync(stateFile, stateLine.slice(stateLine.indexOf('"value":') + 8, -1));
    const resumed = await sync(file, ["--state", stateFile]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    // Asked for the records after the bookmark, every digit of it (the runs before asked from the start).
    expect(seen.at(-1)).toBe("9007199254740995");
    expect(new Set(seen.slice(0, -1))).toEqual(new Set([""]));
  });

  it("does not claim to resume a stream without a replication key or a cursor", async () => {
    faults = () => undefined;
    const result = await sync(config([pageStream]));
    expect(statesOf(result.messages)).toEqual([]);
  });

  it("holds the rate limit: N requests take at least (N-1)/rate seconds on the server's clock", async () => {
    faults = () => undefined;
    const start = server.requests.length;
    await sync(config([{ ...pageStream, pagination: { style: "page", size: 2 } }], { requests_per_second: 8 }));
    const times = server.requests.slice(start).map((request) => request.at);
    // Discovery reads the first page, then the sync reads all 12 pages (23 items, 2 a page).
    expect(times.length).toBe(13);
    // Counted from the second request: the first also opens the connection, so it arrives late by a varying amount.
    // The 60 ms allowed is arrival jitter on a loaded machine; without the limit the 12 requests take a few milliseconds each.
    expect((times.at(-1) as number) - (times[1] as number)).toBeGreaterThanOrEqual(((times.length - 2) / 8) * 1000 - 60);
  });
});
