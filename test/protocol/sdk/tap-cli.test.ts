import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { connectorBin, fixtureBin, jsonLines, runNode, tempDir } from "../../helpers/processes.js";

const tap = connectorBin("tap-sample");
const dir = tempDir();

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

const smallConfig = writeJson("small.json", { users: 25, orders: 7, state_every_records: 10 });

describe("--about", () => {
  it("prints name, version, capabilities and the settings schema as JSON", async () => {
    const result = await runNode(tap, ["--about"]);
    expect(result.exitCode).toBe(0);
    const about = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(about).toMatchObject({ name: "tap-sample", kind: "tap", version: "0.1.0" });
    expect(about["capabilities"]).toEqual(expect.arrayContaining(["about", "discover", "catalog", "state", "test-connection"]));
    expect(Object.keys((about["settings"] as { properties: object }).properties)).toEqual(
      expect.arrayContaining(["users", "orders", "seed", "state_every_records"]),
    );
  });

  it("prints a settings table as markdown", async () => {
    const result = await runNode(tap, ["--about", "--format", "markdown"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^# tap-sample\n/);
    expect(result.stdout).toContain("| `users` | integer | no | `1000` | Rows in the users stream. |");
  });

  it("does not claim `state` for a tap that cannot resume", async () => {
    const result = await runNode(fixtureBin("tap-incremental"), ["--about"]);
    expect(JSON.parse(result.stdout)).toMatchObject({ capabilities: expect.arrayContaining(["state"]) as unknown });
  });

  it("marks secret settings in the markdown", async () => {
    const result = await runNode(fixtureBin("tap-incremental"), ["--about", "--format", "markdown"]);
    expect(result.stdout).toContain("| `api_key` | string | no |  | Never printed. (secret) |");
  });
});

describe("--discover", () => {
  it("prints a catalog with both streams, keys and metadata", async () => {
    const result = await runNode(tap, ["--config", smallConfig, "--discover"]);
    expect(result.exitCode).toBe(0);
    const catalog = JSON.parse(result.stdout) as { streams: Array<Record<string, unknown>> };
    expect(catalog.streams.map((stream) => stream["tap_stream_id"])).toEqual(["users", "orders"]);
    expect(catalog.streams[0]).toMatchObject({
      key_properties: ["id"],
      metadata: expect.arrayContaining([{ breadcrumb: ["properties", "id"], metadata: { inclusion: "automatic" } }]) as unknown,
    });
  });

  it("works without a config when every setting has a default", async () => {
    expect((await runNode(tap, ["--discover"])).exitCode).toBe(0);
  });
});

describe("--test_connection", () => {
  it("exits 0 with one line on success", async () => {
    const result = await runNode(fixtureBin("tap-incremental"), ["--test_connection"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe("tap-incremental info: connection ok: events reachable");
  });

  it("accepts the kebab-case spelling", async () => {
    expect((await runNode(tap, ["--test-connection"])).exitCode).toBe(0);
  });

  it("exits 1 with one clear line naming what is unreachable", async () => {
    const config = writeJson("unreachable.json", { fail_after: 0 });
    const result = await runNode(fixtureBin("tap-incremental"), ["--config", config, "--test_connection"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      "tap-incremental error: tap-incremental: cannot reach the event source at http://127.0.0.1:9. Start the source. [UNREACHABLE]",
    ]);
  });
});

describe("config", () => {
  it("merges repeated --config files, later ones winning", async () => {
    const base = writeJson("base.json", { users: 3, orders: 3 });
    const override = writeJson("override.json", { orders: 1 });
    const messages = jsonLines((await runNode(tap, ["--config", base, "--config", override])).stdout);
    const counts = (stream: string): number => messages.filter((message) => message["type"] === "RECORD" && message["stream"] === stream).length;
    expect([counts("users"), counts("orders")]).toEqual([3, 1]);
  });

  it("names the invalid setting and the file, and exits 3", async () => {
    const bad = writeJson("bad.json", { users: "many" });
    const result = await runNode(tap, ["--config", bad]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe(
      `tap-sample error: tap-sample, setting users: setting "users" must be integer, not string. Fix it in ${bad}; \`tap-sample --about --format markdown\` lists every setting. [CONFIG_INVALID]`,
    );
  });

  it("rejects a setting the tap does not have", async () => {
    const bad = writeJson("unknown-setting.json", { userz: 3 });
    const result = await runNode(tap, ["--config", bad]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('setting "userz" is not a setting of this connector');
  });

  it("says which config file is missing or not JSON", async () => {
    const missing = await runNode(tap, ["--config", join(dir, "nope.json")]);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/nope\.json: the --config file does not exist/);
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ users: 3 ");
    const notJson = await runNode(tap, ["--config", broken]);
    expect(notJson.exitCode).toBe(3);
    expect(notJson.stderr).toMatch(/broken\.json: the --config file is not valid JSON/);
  });
});

describe("usage errors", () => {
  it("exits 2 on an unknown flag, with one line", async () => {
    const result = await runNode(tap, ["--discovr"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/unknown option '--discovr'.*Did you mean --discover\?/);
  });

  it("exits 2 when two modes are asked for", async () => {
    const result = await runNode(tap, ["--discover", "--about"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("choose one mode");
  });

  it("prints help and version with exit 0", async () => {
    const help = await runNode(tap, ["--help"]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("--catalog <file>");
    expect((await runNode(tap, ["--version"])).stdout.trim()).toBe("0.1.0");
  });
});

describe("sync", () => {
  it("writes only Singer messages on stdout: SCHEMA first, then records, then STATE", async () => {
    const result = await runNode(tap, ["--config", smallConfig]);
    expect(result.exitCode).toBe(0);
    const messages = jsonLines(result.stdout);
    expect(messages[0]).toMatchObject({ type: "SCHEMA", stream: "users", key_properties: ["id"] });
    expect(messages.filter((message) => message["type"] === "RECORD")).toHaveLength(32);
    expect(messages.at(-1)).toEqual({ type: "STATE", value: { bookmarks: { users: { rows: 25 }, orders: { rows: 7 } } } });
    expect(result.stderr).toContain("tap-sample info: synced 32 records from 2 stream(s)");
  });

  it("writes a STATE every state_every_records records of a stream", async () => {
    const messages = jsonLines((await runNode(tap, ["--config", smallConfig])).stdout);
    const states = messages.filter((message) => message["type"] === "STATE").map((message) => JSON.stringify(message["value"]));
    expect(states).toEqual([
      '{"bookmarks":{"users":{"rows":10}}}',
      '{"bookmarks":{"users":{"rows":20}}}',
      '{"bookmarks":{"users":{"rows":25}}}',
      '{"bookmarks":{"users":{"rows":25},"orders":{"rows":7}}}',
    ]);
  });

  it("resumes from --state with exactly the remaining rows", async () => {
    const full = jsonLines((await runNode(tap, ["--config", smallConfig])).stdout);
    const firstState = full.find((message) => message["type"] === "STATE");
    const stateFile = writeJson("state.json", firstState?.["value"]);
    const resumed = jsonLines((await runNode(tap, ["--config", smallConfig, "--state", stateFile])).stdout);
    const ids = (messages: Array<Record<string, unknown>>, stream: string): unknown[] =>
      messages.filter((message) => message["type"] === "RECORD" && message["stream"] === stream).map((message) => (message["record"] as { id: unknown }).id);
    expect(ids(resumed, "users")).toEqual(ids(full, "users").slice(10));
    expect(ids(resumed, "orders")).toEqual(ids(full, "orders"));
    const records = (messages: Array<Record<string, unknown>>): string[] =>
      messages.filter((message) => message["type"] === "RECORD").map((message) => JSON.stringify(message["record"]));
    expect(records(resumed)).toEqual(records(full).filter((_, index) => index >= 10));
  });

  it("logs at the chosen --log-level on stderr only", async () => {
    const quiet = await runNode(tap, ["--config", smallConfig, "--log-level", "warn"]);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stderr).toBe("");
    const chatty = await runNode(tap, ["--config", smallConfig, "--log-level", "debug"]);
    expect(chatty.stderr).toContain("tap-sample debug: stream users: 25 records");
    // Debug logs never leak onto stdout: it still holds exactly the messages.
    expect(jsonLines(chatty.stdout).map((message) => message["type"])).toEqual(jsonLines(quiet.stdout).map((message) => message["type"]));
    const invalid = await runNode(tap, ["--log-level", "loud"]);
    expect(invalid.exitCode).toBe(2);
    expect(invalid.stderr).toContain("Allowed choices are debug, info, warn, error, silent");
  });

  it("rejects a state that is not an object", async () => {
    const result = await runNode(tap, ["--config", smallConfig, "--state", writeJson("bad-state.json", [1])]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("the state must be a JSON object");
  });
});

describe("catalog selection", () => {
  async function catalog(): Promise<{
    streams: Array<{ tap_stream_id: string; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }>;
  }> {
    return JSON.parse((await runNode(tap, ["--config", smallConfig, "--discover"])).stdout) as Awaited<ReturnType<typeof catalog>>;
  }

  it("skips a deselected stream", async () => {
    const selection = await catalog();
    selection.streams[0]?.metadata.find((entry) => entry.breadcrumb.length === 0)?.metadata && (selection.streams[0].metadata[0]!.metadata["selected"] = false);
    const messages = jsonLines((await runNode(tap, ["--config", smallConfig, "--catalog", writeJson("cat1.json", selection)])).stdout);
    expect(new Set(messages.filter((message) => "stream" in message).map((message) => message["stream"]))).toEqual(new Set(["orders"]));
  });

  it("drops a deselected property from the SCHEMA and every RECORD, keeping the key", async () => {
    const selection = await catalog();
    for (const entry of selection.streams[0]!.metadata) {
      if (entry.breadcrumb[1] === "email" || entry.breadcrumb[1] === "id") entry.metadata["selected"] = false;
    }
    const messages = jsonLines((await runNode(tap, ["--config", smallConfig, "--properties", writeJson("cat2.json", selection)])).stdout);
    const schema = messages.find((message) => message["type"] === "SCHEMA" && message["stream"] === "users") as { schema: { properties: object } };
    expect(Object.keys(schema.schema.properties)).not.toContain("email");
    const users = messages.filter((message) => message["type"] === "RECORD" && message["stream"] === "users");
    expect(users).toHaveLength(25);
    for (const user of users) {
      expect(user["record"]).not.toHaveProperty("email");
      expect(user["record"]).toHaveProperty("id");
      expect(user["record"]).toHaveProperty("name");
    }
  });

  it("fails clearly on a catalog naming a stream the tap does not have", async () => {
    const selection = await catalog();
    selection.streams[0]!.tap_stream_id = "customers";
    const result = await runNode(tap, ["--config", smallConfig, "--catalog", writeJson("cat3.json", selection)]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('the catalog names stream "customers", which this config does not offer');
  });

  it("fails clearly on a malformed catalog", async () => {
    const result = await runNode(tap, ["--catalog", writeJson("cat4.json", { streams: [{ schema: {} }] })]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('the catalog is not valid: streams[0] has no "tap_stream_id"');
  });
});

describe("replication keys", () => {
  const incremental = fixtureBin("tap-incremental");

  it("bookmarks the largest value at the end of an unsorted stream, and resumes after it", async () => {
    const first = jsonLines((await runNode(incremental, [])).stdout);
    expect(first.filter((message) => message["type"] === "STATE").map((message) => message["value"])).toEqual([
      { bookmarks: { events: { replication_key: "updated_at", replication_key_value: "2024-01-05" } } },
    ]);
    expect(first[0]).toMatchObject({ type: "SCHEMA", bookmark_properties: ["updated_at"] });
    const state = writeJson("inc-state.json", { bookmarks: { events: { replication_key: "updated_at", replication_key_value: "2024-01-03" } } });
    const resumed = jsonLines((await runNode(incremental, ["--state", state])).stdout);
    expect(resumed.filter((message) => message["type"] === "RECORD").map((message) => (message["record"] as { id: number }).id)).toEqual([3, 5]);
  });

  it("does not advance an unsorted bookmark past a failure, and reports it in one line", async () => {
    const config = writeJson("fail.json", { fail_after: 2 });
    const result = await runNode(incremental, ["--config", config]);
    expect(result.exitCode).toBe(1);
    const messages = jsonLines(result.stdout);
    expect(messages.filter((message) => message["type"] === "RECORD")).toHaveLength(2);
    expect(messages.at(-1)).toEqual({ type: "STATE", value: { bookmarks: {} } });
    expect(result.stderr.trim()).toBe("tap-incremental error: tap-incremental, stream events: the event source went away. Try again later. [SOURCE_DOWN]");
  });

  it("advances a sorted bookmark up to the last record written before a failure", async () => {
    const config = writeJson("fail-sorted.json", { fail_after: 2, sorted: true, state_every_records: 1 });
    const messages = jsonLines((await runNode(incremental, ["--config", config])).stdout);
    expect(messages.at(-1)).toEqual({
      type: "STATE",
      value: { bookmarks: { events: { replication_key: "updated_at", replication_key_value: "2024-01-02" } } },
    });
  });

  it("shows the stack trace only with --debug", async () => {
    const config = writeJson("fail-debug.json", { fail_after: 1 });
    const quiet = await runNode(incremental, ["--config", config]);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const loud = await runNode(incremental, ["--config", config, "--debug"]);
    expect(loud.stderr).toMatch(/FatalError: the event source went away\n\s+at /);
  });
});
