import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir, ROOT } from "../../helpers/processes.js";
import { agora, PY_TAP } from "../../helpers/project.js";
import { writeProject, type ConnectorSpec } from "../../helpers/pipeline-project.js";
import { runSucceeds } from "../../helpers/in-process-run.js";

/*
 * Airbyte sources and destinations in Agora pipelines, run by the run core (in-process where a test needs no more than the runner's log, else through `agora run`). Both connectors are
 * Python scripts written here to the Airbyte protocol's text (examples/airbyte/), with no CDK.
 * What landed is read back by Python (sqlite3, json with Decimal): an independent reader.
 */
const SOURCE = `python3 ${join(ROOT, "examples", "airbyte", "source_items.py")}`;
const DESTINATION = `python3 ${join(ROOT, "examples", "airbyte", "destination_items.py")}`;

function source(config: Record<string, unknown> = {}): ConnectorSpec {
  return { command: SOURCE, protocol: "airbyte", config: { api_key: "key-0f3a9c", users: 6, events: 8, ...config } };
}

/** Rows of a SQLite table as Python reads them: every value as its repr (ints of any size, Decimal text). */
function pythonRows(database: string, sql: string): string[] {
  const script = "import sqlite3, sys\nfor row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print('|'.join(repr(v) for v in row))";
  return execFileSync("python3", ["-c", script, database, sql], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
}

/** The data of the Airbyte destination's rows, parsed by Python's json with Decimal for every number with a point. */
function destinationData(database: string, stream: string): string[] {
  const script = [
    "import json, sqlite3, sys",
    "from decimal import Decimal",
    "rows = sqlite3.connect(sys.argv[1]).execute('select namespace, key, data from records where stream = ? order by rowid', (sys.argv[2],))",
    "for namespace, key, data in rows: print(namespace, key, repr(json.loads(data, parse_float=Decimal)))",
  ].join("\n");
  return execFileSync("python3", ["-c", script, database, stream], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
}

function checkpoint(dir: string, pipeline: string): unknown {
  const shown = execFileSync(process.execPath, [join(ROOT, "dist", "runner", "cli", "bin.js"), "state", "show", pipeline], { cwd: dir, encoding: "utf8" });
  return JSON.parse(shown) as unknown;
}

describe("an Airbyte source into target-sqlite", () => {
  it("keeps every value exact, checkpoints the state array per stream, and resumes from it", async () => {
    const dir = tempDir("agora-airbyte-sqlite-");
    const project = (users: number, events: number) =>
      writeProject(dir, {
        connectors: { items: source({ users, events }), warehouse: { command: "target-sqlite", config: { database: "w.db" } } },
        pipelines: { p: { tap: "items", targets: ["warehouse"] } },
      });
    project(4, 3);
    const first = await agora(dir, ["run", "p"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain("items | source_items: handed 0 state message(s)");
    expect(checkpoint(dir, "p")).toEqual([
      { type: "STREAM", stream: { stream_descriptor: { name: "users", namespace: "app" }, stream_state: { updated_at: 4 } } },
      { type: "STREAM", stream: { stream_descriptor: { name: "events" }, stream_state: { meta: { seq: 3 } } } },
    ]);
    project(6, 5);
    const second = await agora(dir, ["run", "p"]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toContain("resuming from the checkpoint saved");
    expect(second.stderr).toContain("items | source_items: handed 2 state message(s)");
    // Only what is new was read: two users and two events (the full-refresh profiles again).
    expect(second.stderr).toMatch(/read 7 \(/);
    expect(pythonRows(join(dir, "w.db"), 'select org, id, balance, big, updated_at from "app-users" order by id')).toEqual(
      [1, 2, 3, 4, 5, 6].map((id) => `'org-${id % 2}'|${id}|'${1234567890123456 + id}.78'|${9007199254740993n + BigInt(id)}|${id}`),
    );
    expect(pythonRows(join(dir, "w.db"), "select id from events order by id")).toEqual(["1", "2", "3", "4", "5"]);
    // The run record keeps what the source said of each stream: its last status, and what it expected to send.
    const [latest] = JSON.parse((await agora(dir, ["--json", "runs", "list", "p", "--limit", "1"])).stdout) as Array<{ progress: Record<string, unknown> }>;
    expect(latest?.progress["app-users"]).toMatchObject({ read: 2, sourceStatus: "COMPLETE", expected: 2 });
    expect(latest?.progress["events"]).toMatchObject({ read: 2, sourceStatus: "COMPLETE" });
  });

  it("checkpoints a GLOBAL state as the one entry, and hands it back", async () => {
    const dir = tempDir("agora-airbyte-global-");
    const project = (events: number) =>
      writeProject(dir, {
        connectors: { items: source({ users: 2, events, state_mode: "global" }), warehouse: { command: "target-sqlite", config: { database: "w.db" } } },
        pipelines: { p: { tap: "items", targets: ["warehouse"], select: ["events.*"] } },
      });
    project(4);
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    const saved = checkpoint(dir, "p") as Array<{ type: string; global: { stream_states: unknown[] } }>;
    expect(saved).toHaveLength(1);
    expect(saved[0]?.type).toBe("GLOBAL");
    expect(saved[0]?.global.stream_states).toEqual([{ stream_descriptor: { name: "events" }, stream_state: { meta: { seq: 4 } } }]);
    project(6);
    const second = await agora(dir, ["run", "p"]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toContain("handed 1 state message(s)");
    expect(pythonRows(join(dir, "w.db"), "select id from events order by id")).toEqual(["1", "2", "3", "4", "5", "6"]);
  });

  it("dead-letters a record the source says it changed (meta.changes), naming the field and why", async () => {
    const dir = tempDir("agora-airbyte-changes-");
    writeProject(dir, {
      connectors: { items: source({ changed_ids: [3] }), warehouse: { command: "target-sqlite", config: { database: "w.db" } } },
      pipelines: { p: { tap: "items", targets: ["warehouse"], select: ["events.*"] } },
    });
    const run = await runSucceeds(dir);
    expect(run).toContain("1 to the DLQ");
    const [letter, ...others] = JSON.parse((await agora(dir, ["--json", "dlq", "list", "p"])).stdout) as Array<{
      errorCode: string;
      errorMessage: string;
      original: { id: number };
    }>;
    expect(others).toEqual([]);
    expect(letter?.errorCode).toBe("SOURCE_CHANGED_RECORD");
    expect(letter?.errorMessage).toContain("kind NULLED (SOURCE_FIELD_SIZE_LIMITATION)");
    expect(letter?.original.id).toBe(3);
    expect(pythonRows(join(dir, "w.db"), "select id from events order by id")).toEqual(["1", "2", "4", "5", "6", "7", "8"]);
  });
});

describe("an Airbyte destination", () => {
  it("gets an Airbyte source's streams under their namespace with whole keys, and confirms the checkpoint", async () => {
    const dir = tempDir("agora-airbyte-destination-");
    writeProject(dir, {
      connectors: { items: source({ users: 3, events: 2 }), dest: { command: DESTINATION, protocol: "airbyte", config: { database: "d.db" } } },
      pipelines: { p: { tap: "items", targets: ["dest"] } },
    });
    await runSucceeds(dir);
    expect(destinationData(join(dir, "d.db"), "users")).toEqual(
      [1, 2, 3].map(
        (id) =>
          `app ["org-${id % 2}", ${id}] {'org': 'org-${id % 2}', 'id': ${id}, 'name': 'user ${id}', 'balance': Decimal('${1234567890123456 + id}.78'), 'big': ${9007199254740993n + BigInt(id)}, 'updated_at': ${id}}`,
      ),
    );
    expect(destinationData(join(dir, "d.db"), "profiles").map((row) => row.split(" {")[0])).toEqual(["None [1]", "None [2]", "None [3]"]);
    expect(checkpoint(dir, "p")).toEqual([
      { type: "STREAM", stream: { stream_descriptor: { name: "users", namespace: "app" }, stream_state: { updated_at: 3 } } },
      { type: "STREAM", stream: { stream_descriptor: { name: "events" }, stream_state: { meta: { seq: 2 } } } },
    ]);
  });

  it("takes a Singer tap's streams, keyed by key_properties, and checkpoints on its STATE echoes", async () => {
    const dir = tempDir("agora-airbyte-singer-");
    writeFileSync(join(dir, "tap.json"), JSON.stringify({ count: 30, state_every: 10 }));
    writeProject(dir, {
      connectors: { dest: { command: DESTINATION, protocol: "airbyte", config: { database: "d.db" } } },
      pipelines: { p: { tap: { command: `python3 ${PY_TAP}`, args: ["--config", "tap.json"] }, targets: ["dest"] } },
    });
    const run = await runSucceeds(dir);
    expect(run).toContain("checkpoint saved");
    expect(run).not.toContain("not confirmed");
    const rows = destinationData(join(dir, "d.db"), "items");
    expect(rows.map((row) => row.split(" {")[0])).toEqual(Array.from({ length: 30 }, (_, index) => `None [${index + 1}]`));
    expect(checkpoint(dir, "p")).toEqual({ bookmarks: { items: { position: 30 } } });
  });
});

describe("an Airbyte source's CONTROL message", () => {
  it("keeps the rotated config beside the project (0600), uses it on the next run, and never shows it", async () => {
    const dir = tempDir("agora-airbyte-control-");
    writeProject(dir, {
      connectors: { items: source({ users: 1, events: 1, access_token: "token-1" }), warehouse: { command: "target-sqlite", config: { database: "w.db" } } },
      pipelines: { p: { tap: "items", targets: ["warehouse"] } },
    });
    // Through agora: its connectors' stderr is part of what must never show a secret.
    const first = await agora(dir, ["run", "p"]);
    expect(first.exitCode, first.stderr).toBe(0);
    const file = join(dir, ".agora", "connector-config", "items.json");
    expect(first.stderr).toContain(`items sent a new config (CONTROL CONNECTOR_CONFIG: access_token); kept in ${file} (mode 0600)`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((JSON.parse(readFileSync(file, "utf8")) as { config: { access_token: string } }).config.access_token).toBe("token-2");
    // The next run is given token-2: the source rotates only token-1, so it sends no CONTROL again.
    const second = await agora(dir, ["--debug", "run", "p"]);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).not.toContain("sent a new config");
    for (const secret of ["token-1", "token-2", "key-0f3a9c"]) expect(`${first.stderr}${second.stderr}`).not.toContain(secret);
  });
});

describe("an Airbyte source's TRACE ERROR", () => {
  it.each([
    ["config_error", "config", "AIRBYTE_CONFIG_ERROR"],
    ["transient_error", "transient", "AIRBYTE_TRANSIENT_ERROR"],
    ["system_error", "fatal", "AIRBYTE_SYSTEM_ERROR"],
  ])("%s fails the run as a %s failure, keeping what was confirmed", async (failureType, kind, code) => {
    const dir = tempDir("agora-airbyte-trace-");
    writeFileSync(join(dir, "fault.json"), JSON.stringify({ trace_error: failureType, trace_after: 5 }));
    writeProject(dir, {
      connectors: { items: source({ fault_file: "fault.json" }), warehouse: { command: "target-sqlite", config: { database: "w.db" } } },
      pipelines: { p: { tap: "items", targets: ["warehouse"], select: ["events.*"] } },
    });
    const run = await agora(dir, ["--json", "run", "p"]);
    expect(run.exitCode).toBe(1);
    const result = JSON.parse(run.stdout) as { failure: { kind: string; code: string; message: string } };
    expect(result.failure).toMatchObject({ kind, code });
    expect(result.failure.message).toContain("items reported an error in stream events: the API answered 503");
    expect(checkpoint(dir, "p")).toEqual([{ type: "STREAM", stream: { stream_descriptor: { name: "events" }, stream_state: { meta: { seq: 4 } } } }]);
    expect(run.stderr).not.toContain("looks like a bug");
    // The stream never reached COMPLETE: runs list says where it stopped.
    expect((await agora(dir, ["runs", "list", "p"])).stdout).toContain("events 5→4 (STARTED)");
  });
});

describe("kill -9", () => {
  it("of the source mid-run: the next run resumes from the confirmed state, nothing lost or doubled", async () => {
    const dir = tempDir("agora-airbyte-kill-source-");
    writeFileSync(join(dir, "fault.json"), JSON.stringify({ kill_after: 5 }));
    writeProject(dir, {
      connectors: { items: source({ fault_file: "fault.json", events: 9 }), dest: { command: DESTINATION, protocol: "airbyte", config: { database: "d.db" } } },
      pipelines: { p: { tap: "items", targets: ["dest"], select: ["events.*"] } },
    });
    const killed = await agora(dir, ["run", "p"]);
    expect(killed.exitCode).toBe(1);
    expect(killed.stderr).toContain("killed by SIGKILL");
    const resumed = await agora(dir, ["run", "p"]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain("handed 1 state message(s)");
    expect(destinationData(join(dir, "d.db"), "events").map((row) => row.split(" {")[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((id) => `None [${id}]`));
  });

  it("of the destination mid-run: the checkpoint holds what it echoed, and the next run completes", async () => {
    const dir = tempDir("agora-airbyte-kill-destination-");
    writeFileSync(join(dir, "fault.json"), JSON.stringify({ kill_after_states: 1 }));
    writeProject(dir, {
      connectors: { items: source({ events: 9 }), dest: { command: DESTINATION, protocol: "airbyte", config: { database: "d.db", fault_file: "fault.json" } } },
      pipelines: { p: { tap: "items", targets: ["dest"], select: ["events.*"] } },
    });
    const killed = await agora(dir, ["run", "p"]);
    expect(killed.exitCode).toBe(1);
    expect(killed.stderr).toContain("killed by SIGKILL");
    const saved = checkpoint(dir, "p") as Array<{ stream: { stream_state: { meta: { seq: number } } } }>;
    expect(saved[0]?.stream.stream_state.meta.seq).toBeLessThan(9);
    expect(existsSync(join(dir, "fault.json"))).toBe(false);
    await runSucceeds(dir);
    expect(destinationData(join(dir, "d.db"), "events").map((row) => row.split(" {")[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((id) => `None [${id}]`));
  });
});

describe("connectors named as Airbyte names them", () => {
  it("a source-* that refuses --about and answers spec, and a destination-*, need no protocol setting", async () => {
    const dir = tempDir("agora-airbyte-named-");
    mkdirSync(join(dir, "bin"));
    for (const [name, script] of [
      ["source-items", SOURCE],
      ["destination-items", DESTINATION],
    ] as const)
      writeFileSync(join(dir, "bin", name), `#!/bin/sh\nexec ${script} "$@"\n`, { mode: 0o755 });
    writeProject(dir, {
      connectors: {
        items: { command: "./bin/source-items", config: { api_key: "key-0f3a9c", users: 2, events: 2 } },
        dest: { command: "./bin/destination-items", config: { database: "d.db" } },
      },
      pipelines: { p: { tap: "items", targets: ["dest"], select: ["events.*"] } },
    });
    await runSucceeds(dir);
    expect(destinationData(join(dir, "d.db"), "events").map((row) => row.split(" {")[0])).toEqual(["None [1]", "None [2]"]);
  });
});

describe("agora state for an Airbyte source", () => {
  it("sets a state array by hand, and clears one stream of it, by the name the pipeline gives it", async () => {
    const dir = tempDir("agora-airbyte-state-");
    writeProject(dir, { connectors: { items: source() }, pipelines: { p: { tap: "items", target: "target-jsonl" } } });
    const users = { type: "STREAM", stream: { stream_descriptor: { name: "users", namespace: "app" }, stream_state: { updated_at: 3 } } };
    const events = { type: "STREAM", stream: { stream_descriptor: { name: "events" }, stream_state: { meta: { seq: 9007199254740993 } } } };
    expect((await agora(dir, ["state", "set", "p", JSON.stringify([users, events]).replace("9007199254740992", "9007199254740993")])).exitCode).toBe(0);
    const cleared = await agora(dir, ["state", "clear", "p", "--stream", "app-users"]);
    expect(cleared.exitCode, cleared.stderr).toBe(0);
    expect((await agora(dir, ["state", "show", "p"])).stdout).toContain('"seq": 9007199254740993');
    expect(JSON.parse((await agora(dir, ["state", "show", "p"])).stdout)).toHaveLength(1);
    const unknown = await agora(dir, ["state", "clear", "p", "--stream", "users"]);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('the checkpoint of p has no state for stream "users"');
    expect(unknown.stderr).toContain('Streams with a state: "events".');
    const refused = await agora(dir, ["state", "set", "p", '[{"type": "STREAM"}]']);
    expect(refused.stderr).toContain("which is no Airbyte state either (a STREAM state without stream.stream_descriptor.name)");
  });
});

describe("an Airbyte source with a Singer and an Airbyte target in one pipeline", () => {
  it("checkpoints only what both confirmed, and counts the records the destination says it rejected as dead letters", async () => {
    const dir = tempDir("agora-airbyte-mixed-");
    writeProject(dir, {
      connectors: {
        items: source({ users: 2, events: 6 }),
        dest: { command: DESTINATION, protocol: "airbyte", config: { database: "d.db", reject_ids: [4] } },
        warehouse: { command: "target-sqlite", config: { database: "w.db" } },
      },
      pipelines: { p: { tap: "items", targets: ["warehouse", "dest"], select: ["events.*"] } },
    });
    const run = await agora(dir, ["--json", "run", "p"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(pythonRows(join(dir, "w.db"), "select id from events order by id")).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(destinationData(join(dir, "d.db"), "events").map((row) => row.split(" {")[0])).toEqual(["None [1]", "None [2]", "None [3]", "None [5]", "None [6]"]);
    const result = JSON.parse(run.stdout) as { deadLettered: number; targets: Array<{ target: string; rejected: number }> };
    expect(result.deadLettered).toBe(1);
    expect(result.targets.find((target) => target.target === "dest")?.rejected).toBe(1);
    const [letter] = JSON.parse((await agora(dir, ["--json", "dlq", "list", "p"])).stdout) as Array<{ errorCode: string; stream: string }>;
    expect(letter).toMatchObject({ errorCode: "DESTINATION_REJECTED", stream: "events" });
    expect(checkpoint(dir, "p")).toEqual([{ type: "STREAM", stream: { stream_descriptor: { name: "events" }, stream_state: { meta: { seq: 6 } } } }]);
  });
});

describe("agora invoke of an Airbyte connector", () => {
  it("puts the subcommand first, with the config the pipeline would hand it", async () => {
    const dir = tempDir("agora-airbyte-invoke-");
    writeProject(dir, { connectors: { items: source() }, pipelines: { p: { tap: "items", target: "target-jsonl" } } });
    const discovered = await agora(dir, ["invoke", "items", "--", "discover"]);
    expect(discovered.exitCode, discovered.stderr).toBe(0);
    const catalog = discovered.stdout
      .split("\n")
      .filter((line) => line.includes('"CATALOG"'))
      .map((line) => JSON.parse(line) as { catalog: { streams: Array<{ name: string }> } })[0];
    expect(catalog?.catalog.streams.map((stream) => stream.name)).toEqual(["users", "events", "profiles"]);
    const spec = await agora(dir, ["invoke", "items", "--", "spec"]);
    expect(spec.stdout).toContain('"type":"SPEC"');
  });
});
