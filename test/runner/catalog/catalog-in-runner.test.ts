import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runSucceeds } from "../../helpers/in-process-run.js";
import { agora, projectIn } from "../../helpers/project.js";
import { examplePath, ROOT, tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-catalog-");
const PROBE = `python3 ${join(ROOT, "test", "fixtures", "catalog", "tap_probe.py")}`;
const JSONL_TARGET = '{ command = "target-jsonl", config = { destination_path = "out" } }';

const rows = (dir: string, stream: string): unknown[] => {
  const file = join(dir, "out", `${stream}.jsonl`);
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as unknown)
    : [];
};
const discoveries = (dir: string): number =>
  existsSync(join(dir, "discover.log")) ? readFileSync(join(dir, "discover.log"), "utf8").trim().split("\n").length : 0;
const received = (
  dir: string,
): { streams: Array<Record<string, unknown> & { tap_stream_id: string; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }> } =>
  JSON.parse(readFileSync(join(dir, "received.json"), "utf8")) as never;
const streamMeta = (catalog: ReturnType<typeof received>, stream: string): Record<string, unknown> =>
  catalog.streams.find((entry) => entry.tap_stream_id === stream)?.metadata.find((entry) => entry.breadcrumb.length === 0)?.metadata ?? {};

function probeProject(dir: string, settings: string, tapArgs = "", config = ""): string {
  return projectIn(
    dir,
    `
[pipelines.p]
tap = { command = "${PROBE}${tapArgs}", config = { log = "${join(dir, "discover.log")}", received = "${join(dir, "received.json")}"${config} } }
target = ${JSONL_TARGET}
${settings}
`,
  );
}

// Runs that must succeed go in-process on the project's own store (its catalog cache included); runs that fail go through
// agora, whose error line (file, line, nearest names) is what they test.
describe("select in pipelines.toml", () => {
  it("syncs the selected streams and properties, keeps keys, and warns about patterns that drop a key or match nothing", async () => {
    const dir = probeProject(join(root, "select"), 'select = ["orders.*", "!orders.internal_*", "!orders.id", "customers.email", "nothing.*"]');
    const log = await runSucceeds(dir);
    expect(rows(dir, "orders")).toEqual([
      { id: 1, amount: 50, updated_at: "2024-01-01" },
      { id: 2, amount: 150, updated_at: "2024-01-02" },
      { id: 3, amount: 250.5, updated_at: "2024-01-03" },
    ]);
    expect(rows(dir, "customers")).toEqual([
      { id: 10, email: "a@example.com" },
      { id: 11, email: "b@example.com" },
    ]);
    expect(log).toContain('select pattern "!orders.id" would drop orders.id, a key or replication key: it is kept');
    expect(log).toContain('select pattern "nothing.*" matches no stream (streams: orders, customers)');
  });

  it("may sit on the tap's [connectors] table; a pipeline's own select replaces it", async () => {
    const dir = projectIn(
      join(root, "connector-level"),
      `
[connectors.probe]
command = "${PROBE}"
config = { log = "discover.log" }
select = ["customers.email"]
metadata = { custmers = { replication-method = "FULL_TABLE" } }

[pipelines.inherits]
tap = "probe"
target = ${JSONL_TARGET}
metadata = {}

[pipelines.own]
tap = "probe"
target = { command = "target-jsonl", config = { destination_path = "own" } }
select = ["orders.id"]
metadata = {}
`,
    );
    await runSucceeds(dir, "inherits");
    expect(rows(dir, "customers")).toEqual([
      { id: 10, email: "a@example.com" },
      { id: 11, email: "b@example.com" },
    ]);
    expect(rows(dir, "orders")).toEqual([]);
    await runSucceeds(dir, "own");
    // Each record as the Python tap wrote it (target-jsonl keeps a record's text).
    expect(readFileSync(join(dir, "own", "orders.jsonl"), "utf8")).toBe('{"id": 1}\n{"id": 2}\n{"id": 3}\n');
    // One tap, one config: the second pipeline used the catalog the first discovered.
    expect(discoveries(dir)).toBe(1);

    // The connector's metadata, when a pipeline does not replace it, is checked where it is written.
    const bad = projectIn(join(root, "connector-level-bad"), readFileSync(join(dir, "pipelines.toml"), "utf8").replaceAll("metadata = {}\n", ""));
    const failed = await agora(bad, ["run", "inherits"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain(
      `${join(bad, "pipelines.toml")}, line 6: connectors.probe.metadata names stream "custmers", which the catalog does not have; did you mean "customers"?`,
    );
  });

  it("leaves out a stream no pattern selects", async () => {
    const dir = probeProject(join(root, "one-stream"), 'select = ["customers.*"]');
    await runSucceeds(dir);
    expect(rows(dir, "orders")).toEqual([]);
    expect(rows(dir, "customers")).toEqual([
      { id: 10, email: "a@example.com", internal_score: 7 },
      { id: 11, email: "b@example.com", internal_score: 9 },
    ]);
  });

  it("hands a tap that claims only `properties` the catalog as --properties", async () => {
    const dir = probeProject(join(root, "legacy"), 'select = ["orders.id", "orders.amount"]', " --legacy");
    await runSucceeds(dir);
    expect(rows(dir, "orders")).toEqual([
      { id: 1, amount: 50 },
      { id: 2, amount: 150 },
      { id: 3, amount: 250.5 },
    ]);
    expect(rows(dir, "customers")).toEqual([]);
  });

  it("works with the Python example tap", async () => {
    const dir = projectIn(
      join(root, "countries"),
      `
[pipelines.p]
tap = { command = "python3 ${examplePath("python", "tap_countries.py")}" }
target = ${JSONL_TARGET}
select = ["countries.name", "!countries.capital"]
`,
    );
    await runSucceeds(dir);
    expect(rows(dir, "countries").slice(0, 2)).toEqual([
      { code: "CH", name: "Switzerland" },
      { code: "BR", name: "Brazil" },
    ]);
    expect(rows(dir, "countries")).toHaveLength(8);
  });
});

describe("a plain Singer tap without --about", () => {
  const CLASSIC_TAP = `python3 ${join(ROOT, "test", "fixtures", "singer", "classic_tap.py")}`;
  const classic = (dir: string, config: string, settings: string): string =>
    projectIn(dir, `\n[pipelines.p]\ntap = { command = "${CLASSIC_TAP}", config = { ${config} } }\ntarget = ${JSONL_TARGET}\n${settings}\n`);

  it("is discovered when the pipeline selects, and runs without a catalog when it does not", async () => {
    const selecting = classic(join(root, "classic-select"), "people = 3, events = 2, discover = true", 'select = ["people.name"]');
    await runSucceeds(selecting);
    expect(rows(selecting, "people")).toEqual([
      { id: "1", name: "person 1" },
      { id: "2", name: "person 2" },
      { id: "3", name: "person 3" },
    ]);
    expect(rows(selecting, "events")).toEqual([]);

    const plain = classic(join(root, "classic-plain"), "people = 2, events = 0", "");
    expect(await runSucceeds(plain)).not.toContain("discovering");
    expect(rows(plain, "people")).toEqual([
      { id: "1", name: "person 1", city: "Lima" },
      { id: "2", name: "person 2", city: "Pune" },
    ]);
  });

  it("that cannot discover fails a selecting pipeline with the tap's own complaint", async () => {
    const dir = classic(join(root, "classic-no-discover"), "people = 2", 'select = ["people.name"]');
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("the tap's --discover exited with code 2; it said: tap-classic: error: unrecognized arguments: --discover");
  });
});

describe("metadata and schema overrides", () => {
  it("reach the tap's catalog, stream globs included", async () => {
    const dir = probeProject(
      join(root, "overrides"),
      `metadata = { "ord*" = { replication-method = "INCREMENTAL", replication-key = "updated_at", internal_note = { inclusion = "unsupported" } }, customers = { table-key-properties = ["email"] } }
schema = { orders = { amount = { type = ["number", "null"], minimum = 0 } } }`,
    );
    await runSucceeds(dir);
    const catalog = received(dir);
    expect(streamMeta(catalog, "orders")).toMatchObject({ "replication-method": "INCREMENTAL", "replication-key": "updated_at", selected: true });
    expect(catalog.streams.find((entry) => entry.tap_stream_id === "orders")).toMatchObject({
      replication_key: "updated_at",
      replication_method: "INCREMENTAL",
    });
    expect(streamMeta(catalog, "customers")).toMatchObject({ "table-key-properties": ["email"] });
    const orders = catalog.streams.find((entry) => entry.tap_stream_id === "orders") as unknown as {
      schema: { properties: Record<string, unknown> };
      metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }>;
    };
    expect(orders.schema.properties["amount"]).toEqual({ type: ["number", "null"], minimum: 0 });
    expect(orders.metadata.find((entry) => entry.breadcrumb[1] === "internal_note")?.metadata).toMatchObject({ inclusion: "unsupported", selected: false });
    // The replication key is kept, as a key is: the tap still emits it.
    expect(rows(dir, "orders")).toEqual([
      { id: 1, amount: 50, updated_at: "2024-01-01" },
      { id: 2, amount: 150, updated_at: "2024-01-02" },
      { id: 3, amount: 250.5, updated_at: "2024-01-03" },
    ]);
  });

  it("names the file, line and nearest names of a stream or property that does not exist", async () => {
    const dir = probeProject(join(root, "bad-stream"), 'metadata = { ordres = { replication-method = "INCREMENTAL" } }');
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`${join(dir, "pipelines.toml")}, line 5: `);
    expect(result.stderr).toContain('pipelines.p.metadata names stream "ordres", which the catalog does not have; did you mean "orders"?');
    expect(rows(dir, "orders")).toEqual([]);

    const property = probeProject(join(root, "bad-property"), 'schema = { orders = { amout = { type = "string" } } }');
    const second = await agora(property, ["run", "p"]);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain('stream "orders" has no property "amout"; did you mean "amount"?');
    expect(second.stderr).toContain("pipelines.toml, line 5: pipelines.p.schema.orders.amout:");

    const key = probeProject(join(root, "bad-key"), '[pipelines.p.metadata.orders]\nreplication-key = "updated"');
    const third = await agora(key, ["run", "p"]);
    expect(third.exitCode).toBe(1);
    expect(third.stderr).toContain('metadata.orders.replication-key: stream "orders" has no property "updated"; did you mean "updated_at"?');
    expect(third.stderr).toContain(`${join(key, "pipelines.toml")}, line 6: `);
  });

  it("FULL_TABLE for one stream of our tap: that stream starts over, the other resumes", async () => {
    const dir = projectIn(
      join(root, "full-table"),
      `
[pipelines.p]
tap = { command = "tap-sample", config = { users = 3, orders = 2 } }
target = ${JSONL_TARGET}
metadata = { users = { replication-method = "FULL_TABLE" } }
`,
    );
    await runSucceeds(dir);
    await runSucceeds(dir);
    expect(rows(dir, "users").map((row) => (row as { id: number }).id)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(rows(dir, "orders").map((row) => (row as { id: number }).id)).toEqual([1, 2]);
  });

  it("a schema override types tap-csv's values: the tap reads the column as the catalog says", async () => {
    const dir = join(root, "csv-schema");
    projectIn(
      dir,
      `
[pipelines.p]
tap = { command = "tap-csv", config = { files = [{ path = "people.csv", stream = "people", key_properties = ["id"] }] } }
target = ${JSONL_TARGET}
select = ["people.*", "!people.secret"]
schema = { people = { zip = { type = ["string", "null"] } } }
`,
    );
    writeFileSync(join(dir, "people.csv"), "id,name,zip,secret\n1,Ada,01234,x\n2,Alan,90210,y\n");
    await runSucceeds(dir);
    expect(rows(dir, "people")).toEqual([
      { id: 1, name: "Ada", zip: "01234" },
      { id: 2, name: "Alan", zip: "90210" },
    ]);
  });
});

describe("the catalog cache", () => {
  it("discovers once per command, config and version; --refresh and --refresh-catalog discover again", async () => {
    const dir = probeProject(join(root, "cache"), 'select = ["orders.id"]');
    await runSucceeds(dir);
    await runSucceeds(dir);
    expect(discoveries(dir)).toBe(1);
    // Selection is applied to the cached catalog: changing it needs no discovery.
    probeProject(dir, 'select = ["orders.amount"]');
    await runSucceeds(dir);
    expect(discoveries(dir)).toBe(1);
    expect(rows(dir, "orders").slice(-1)).toEqual([{ id: 3, amount: 250.5 }]);
    // A changed config discovers again.
    probeProject(dir, 'select = ["orders.amount"]', "", ", region = 'eu'");
    await runSucceeds(dir);
    expect(discoveries(dir)).toBe(2);
    const refreshed = await agora(dir, ["discover", "p", "--refresh"]);
    expect(refreshed.exitCode).toBe(0);
    expect(discoveries(dir)).toBe(3);
    expect(refreshed.stderr).toContain("catalog of p: 2 stream(s), 1 selected, discovered now");
    expect((JSON.parse(refreshed.stdout) as { streams: Array<{ tap_stream_id: string }> }).streams.map((stream) => stream.tap_stream_id)).toEqual([
      "orders",
      "customers",
    ]);
    expect((await agora(dir, ["run", "p", "--refresh-catalog"])).exitCode).toBe(0);
    expect(discoveries(dir)).toBe(4);
    const cached = await agora(dir, ["discover", "p", "--output", "effective.json"]);
    expect(cached.stderr).toContain("from the cache (discovered");
    expect(discoveries(dir)).toBe(4);
    expect((JSON.parse(readFileSync(join(dir, "effective.json"), "utf8")) as { streams: unknown[] }).streams).toHaveLength(2);
  });

  it("a failing --discover stops the run with the tap's own line, and the cached catalog stays", async () => {
    const dir = probeProject(join(root, "discover-fails"), 'select = ["customers.*"]', "", ", fail_discover = true");
    const failed = await agora(dir, ["run", "p"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain("the tap's --discover exited with code 1; it said: tap-probe error: cannot reach the source (fail_discover)");
    expect(rows(dir, "customers")).toEqual([]);
    const runs = await agora(dir, ["--json", "runs", "list", "p"]);
    expect(runs.stdout).toContain("DISCOVERY_FAILED");

    // With a catalog in the cache, a refresh that fails keeps it, and runs go on with it.
    const kept = probeProject(join(root, "cache-kept"), 'select = ["customers.*"]', " --fail-when fail.flag");
    expect((await agora(kept, ["discover", "p"])).exitCode).toBe(0);
    writeFileSync(join(kept, "fail.flag"), "");
    const refresh = await agora(kept, ["discover", "p", "--refresh"]);
    expect(refresh.exitCode).toBe(1);
    expect(refresh.stderr).toContain("tap-probe error: cannot reach the source (fail.flag)");
    expect(discoveries(kept)).toBe(2);
    await runSucceeds(kept);
    expect(discoveries(kept)).toBe(2);
    expect(rows(kept, "customers")).toEqual([
      { id: 10, email: "a@example.com", internal_score: 7 },
      { id: 11, email: "b@example.com", internal_score: 9 },
    ]);
  });
});

describe("agora select --list", () => {
  it("tables every stream and property with its status and the rule that decided", async () => {
    const dir = probeProject(join(root, "list"), 'select = ["orders.*", "!orders.internal_*", "customers.email"]');
    const listed = await agora(dir, ["select", "p", "--list"]);
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.stdout).toBe(
      [
        "STREAM     PROPERTY    STATUS     DECIDED BY",
        "orders                 selected   orders.*",
        "           id          automatic  the tap (inclusion: automatic)",
        "           amount      selected   orders.*",
        "           updated_at  selected   orders.*",
        "customers              selected   customers.email",
        "           id          automatic  the tap (inclusion: automatic)",
        "           email       selected   customers.email",
        "",
      ].join("\n"),
    );
    const all = await agora(dir, ["select", "p", "--list", "--all"]);
    expect(all.stdout.split("\n")).toEqual([
      "STREAM     PROPERTY        STATUS     DECIDED BY",
      "orders                     selected   orders.*",
      "           id              automatic  the tap (inclusion: automatic)",
      "           amount          selected   orders.*",
      "           updated_at      selected   orders.*",
      "           internal_note   excluded   !orders.internal_*",
      "customers                  selected   customers.email",
      "           id              automatic  the tap (inclusion: automatic)",
      "           email           selected   customers.email",
      "           internal_score  excluded   no pattern",
      "",
    ]);
  });
});

describe("a catalog the user gives", () => {
  it("a catalog file wins over discovery and keeps its own selection; --catalog in the tap's args is passed as it is", async () => {
    const dir = probeProject(join(root, "file"), 'catalog = "mine.json"');
    const mine = {
      streams: [
        {
          tap_stream_id: "customers",
          schema: { properties: { id: { type: "integer" }, email: { type: "string" } } },
          metadata: [
            { breadcrumb: [], metadata: { selected: true } },
            { breadcrumb: ["properties", "email"], metadata: { selected: false } },
          ],
        },
      ],
    };
    writeFileSync(join(dir, "mine.json"), JSON.stringify(mine));
    await runSucceeds(dir);
    expect(discoveries(dir)).toBe(0);
    expect(rows(dir, "customers")).toEqual([{ id: 10 }, { id: 11 }]);
    expect(rows(dir, "orders")).toEqual([]);

    // Passed untouched: this tap wants every property selected explicitly, and the file says so.
    const explicit = {
      streams: [{ ...mine.streams[0], metadata: [...(mine.streams[0]?.metadata ?? []), { breadcrumb: ["properties", "id"], metadata: { selected: true } }] }],
    };
    writeFileSync(join(dir, "explicit.json"), JSON.stringify(explicit));
    const own = probeProject(join(root, "own-flag"), "", ` --catalog ${join(dir, "explicit.json")}`);
    await runSucceeds(own);
    expect(discoveries(own)).toBe(0);
    expect(rows(own, "customers")).toEqual([{ id: 10 }, { id: 11 }]);
  });
});
