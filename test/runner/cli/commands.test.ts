import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tableRows, writeIn } from "../../helpers/files.js";
import { agora, projectIn } from "../../helpers/project.js";
import { examplePath, tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-cli-");

describe("agora init, then agora run", () => {
  it("makes a working project whose sample pipeline loads SQLite, resumably", async () => {
    const dir = join(root, "init");
    const init = await agora(root, ["init", "init"]);
    expect(init.exitCode).toBe(0);
    expect(init.stderr).toContain("next: cd init && agora run sample");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toContain(".agora/");
    const first = await agora(dir, ["run"]);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toMatch(/pipeline sample succeeded in [\d.]+ s: read 6,000 .*wrote 6,000 \(users 1,000, orders 5,000\); checkpoint saved; run \S+/);
    const users = tableRows(join(dir, "warehouse.db"), "users", "id");
    expect(users).toHaveLength(1000);
    expect(String(users[0]?.["email"])).toMatch(/^[0-9a-f]{64}$/);
    expect(tableRows(join(dir, "warehouse.db"), "orders", "id")[0]).toHaveProperty("big_order");

    // The second run resumes after the saved checkpoint: nothing left to read.
    const second = await agora(dir, ["--json", "run", "sample"]);
    expect(second.exitCode).toBe(0);
    const result = JSON.parse(second.stdout) as { status: string; recordsRead: number };
    expect(result).toMatchObject({ status: "succeeded", recordsRead: 0 });
    expect(second.stderr).toContain("resuming from the checkpoint saved");

    const runs = JSON.parse((await agora(dir, ["--json", "runs", "list"])).stdout) as Array<{
      pipeline: string;
      status: string;
      progress: Record<string, { read: number; written: number }>;
    }>;
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({
      pipeline: "sample",
      status: "succeeded",
      progress: { users: { read: 1000, written: 1000 }, orders: { read: 5000, written: 5000 } },
    });

    expect((await agora(dir, ["init"])).exitCode).toBe(2);
  });
});

describe("agora state", () => {
  it("shows, sets and clears a pipeline's checkpoint; the next run uses it", async () => {
    const dir = projectIn(
      join(root, "state"),
      `
[connectors.sample]
command = "tap-sample"
config = { users = 30, orders = 0, state_every_records = 10 }

[connectors.db]
command = "target-sqlite"
config = { database = "out.db" }

[pipelines.users]
tap = "sample"
target = "db"
`,
    );
    const empty = await agora(dir, ["state", "show", "users"]);
    expect(empty.stderr).toContain("pipeline users has no checkpoint");
    expect((await agora(dir, ["state", "set", "users", '{"bookmarks": {"users": {"rows": 25}}}'])).exitCode).toBe(0);
    expect(JSON.parse((await agora(dir, ["state", "show", "users"])).stdout)).toEqual({ bookmarks: { users: { rows: 25 } } });
    await agora(dir, ["run", "users"]);
    expect(tableRows(join(dir, "out.db"), "users", "id").map((row) => row["id"])).toEqual([26, 27, 28, 29, 30]);
    expect(JSON.parse((await agora(dir, ["state", "show", "users"])).stdout)).toEqual({ bookmarks: { users: { rows: 30 } } });
    expect((await agora(dir, ["state", "clear", "users"])).stderr).toContain("checkpoint of users cleared");
    expect((await agora(dir, ["state", "set", "users", "{not json"])).exitCode).toBe(3);
    // A state is an object: anything else would break the next run.
    const array = await agora(dir, ["state", "set", "users", "[1]"]);
    expect(array.exitCode).toBe(3);
    expect(array.stderr).toContain("the state must be a JSON object, as a STATE message's value is; got an array");
    // A bookmark past 2^53 set by hand keeps every digit.
    expect((await agora(dir, ["state", "set", "users", '{"bookmarks": {"users": {"id": 9007199254740993}}}'])).exitCode).toBe(0);
    expect((await agora(dir, ["state", "show", "users"])).stdout).toContain("9007199254740993");
  });

  it("refuses a pipeline that is not there, naming those that are, and leaves a folder without a project as it was", async () => {
    const dir = projectIn(join(root, "state-names"), `[pipelines.users]\ntap = { command = "tap-sample" }\ntarget = { command = "target-jsonl" }\n`);
    for (const command of [["show"], ["set", '{"bookmarks": {}}'], ["clear"]]) {
      const result = await agora(dir, ["state", command[0] as string, "userz", ...command.slice(1)]);
      expect(result.exitCode, command.join(" ")).not.toBe(0);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(
        /no pipeline "userz" in .*pipelines\.toml, and none by that name has a checkpoint or runs in the state store\. Pipelines: users\./,
      );
    }
    const empty = mkdtempSync(join(root, "no-project-"));
    const shown = await agora(empty, ["state", "show", "nosuch"]);
    expect(shown.exitCode).not.toBe(0);
    expect(shown.stderr).toContain('no pipeline "nosuch" here: no pipelines.toml and no state store (.agora/state.db)');
    expect(existsSync(join(empty, ".agora"))).toBe(false);
  });
});

describe("ad-hoc runs and other languages", () => {
  it("runs a bash tap into target-sqlite from --tap and --target", async () => {
    const dir = join(root, "adhoc");
    projectIn(dir, "");
    writeIn(dir, "target.json", JSON.stringify({ database: "ticks.db" }));
    writeIn(dir, "tap.json", JSON.stringify({ count: 25 }));
    const result = await agora(dir, [
      "run",
      "--tap",
      `bash ${examplePath("bash", "tap-counter.sh")} --config tap.json`,
      "--target",
      "target-sqlite --config target.json",
    ]);
    expect(result.exitCode).toBe(0);
    expect(tableRows(join(dir, "ticks.db"), "ticks", "n")).toHaveLength(25);
    // The bash tap writes no STATE: the run says the checkpoint could not move.
    expect(result.stderr).toContain("checkpoint unchanged");
  });

  it("names each ad hoc pipeline after its commands: another one never resumes from its checkpoint", async () => {
    const dir = join(root, "adhoc-names");
    projectIn(dir, "");
    writeIn(dir, "t.json", JSON.stringify({ destination_path: "out" }));
    const users = ["run", "--tap", "tap-sample --config u.json", "--target", "target-jsonl --config t.json"];
    writeIn(dir, "u.json", JSON.stringify({ users: 5, orders: 0 }));
    const first = await agora(dir, users);
    expect(first.exitCode, first.stderr).toBe(0);
    const name = /ad hoc pipeline (adhoc-[0-9a-f]{8})/.exec(first.stderr)?.[1] as string;
    expect(name).toMatch(/^adhoc-[0-9a-f]{8}$/);
    expect(JSON.parse((await agora(dir, ["state", "show", name])).stdout)).toEqual({ bookmarks: { users: { rows: 5 } } });
    // Another ad hoc pipeline starts from the beginning, under a name of its own.
    writeIn(dir, "o.json", JSON.stringify({ users: 0, orders: 3 }));
    const other = await agora(dir, ["run", "--tap", "tap-sample --config o.json", "--target", "target-jsonl --config t.json"]);
    expect(other.exitCode, other.stderr).toBe(0);
    expect(other.stderr).not.toContain(name);
    expect(other.stderr).toContain("wrote 3 (orders 3)");
    // The same one again resumes.
    const again = await agora(dir, users);
    expect(again.stderr).toContain(`ad hoc pipeline ${name}`);
    expect(again.stderr).toContain("resuming from the checkpoint");
  });
});

describe("a connector that rejects its config", () => {
  it("is pointed at pipelines.toml, with the line and setting, once, not at the run's temporary copy", async () => {
    const dir = join(root, "bad-connector-config");
    projectIn(
      dir,
      `[pipelines.p]\ntap = { command = "tap-sample", config = { users = 2 } }\n\n[pipelines.p.target]\ncommand = "target-jsonl"\nconfig = { destination_path = "out", colour = "red" }\n`,
    );
    const result = await agora(dir, ["run", "p"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `setting "colour" is not a setting of this connector. Fix it in ${join(dir, "pipelines.toml")}, line 6 (pipelines.p.target.config)`,
    );
    // Said once, with one code: never the run's temporary copy, nor the connector's own line besides the failure.
    expect(result.stderr).not.toContain(".agora/runs");
    expect(result.stderr.match(/is not a setting of this connector/g)).toHaveLength(1);
    expect(result.stderr.match(/\[[A-Z_]+\]/g)).toEqual(["[CONNECTOR_CONFIG_INVALID]"]);
    expect(result.stderr).toContain("(CONFIG_INVALID)");
  });
});

describe("a tap that does not take --state", () => {
  it("fails its second run saying it was given --state and how to stop that; resume = false and --no-resume run it", async () => {
    const dir = join(root, "no-state");
    const messages = [
      { type: "SCHEMA", stream: "s", schema: { type: "object", properties: { id: { type: "integer" } } }, key_properties: ["id"] },
      { type: "RECORD", stream: "s", record: { id: 1 } },
      { type: "STATE", value: { n: 1 } },
    ];
    projectIn(
      dir,
      `[pipelines.p]\ntap = { command = "cat", args = ["msgs.jsonl"] }\ntarget = { command = "target-jsonl", config = { destination_path = "out" } }\n`,
    );
    writeIn(dir, "msgs.jsonl", `${messages.map((message) => JSON.stringify(message)).join("\n")}\n`);
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    const second = await agora(dir, ["run", "p"]);
    expect(second.exitCode).toBe(1);
    // Its first line says what is wrong, its last only where to look: both are shown.
    expect(second.stderr).toContain("it said: cat: unrecognized option '--state' … Try 'cat --help' for more information.");
    expect(second.stderr).toContain(
      "It was given --state with the saved checkpoint (it has no --about to say whether it can resume); if it does not take --state, set resume = false on the pipeline or run with --no-resume.",
    );
    expect((await agora(dir, ["run", "p", "--no-resume"])).exitCode).toBe(0);
    projectIn(
      dir,
      `[pipelines.p]\ntap = { command = "cat", args = ["msgs.jsonl"] }\ntarget = { command = "target-jsonl", config = { destination_path = "out" } }\nresume = false\n`,
    );
    const configured = await agora(dir, ["run", "p"]);
    expect(configured.exitCode, configured.stderr).toBe(0);
    expect(configured.stderr).toContain("not handing cat the checkpoint (resume = false)");
  });
});

describe("errors", () => {
  it.each([
    [["run", "--tap", "tap-sample"], 2, "an ad-hoc run needs --tap and at least one --target"],
    [["frobnicate"], 2, "unknown command 'frobnicate'"],
    [["run", "--max-records", "-3", "--tap", "a", "--target", "b"], 2, "--max-records must be a positive number"],
    [["run", "nothing"], 3, "no pipelines.toml here"],
  ])("agora %j exits %i with one line", async (args, code, message) => {
    const dir = join(root, `errors-${code}-${String(args[0])}`);
    projectIn(dir, "");
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "pipelines.toml"));
    const result = await agora(dir, args);
    expect(result.exitCode).toBe(code);
    expect(result.stderr).toContain(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("names the file and line of invalid TOML, and unknown settings", async () => {
    const bad = projectIn(join(root, "bad-toml"), "[pipelines.x\ntap = 1\n");
    const syntax = await agora(bad, ["run", "x"]);
    expect(syntax.exitCode).toBe(3);
    expect(syntax.stderr).toMatch(/pipelines\.toml, line 1: not valid TOML/);
    const unknown = projectIn(join(root, "bad-setting"), '[pipelines.x]\ntap = "a"\ntargetz = ["b"]\n');
    expect((await agora(unknown, ["run", "x"])).stderr).toContain('unknown setting "targetz" in pipelines.x');
    const missing = projectIn(join(root, "bad-ref"), '[pipelines.x]\ntap = "ghost"\ntarget = "ghost"\n');
    expect((await agora(missing, ["run", "x"])).stderr).toContain('pipelines.x.target names connector "ghost", which [connectors] does not define');
  });

  it("fails clearly when a connector's command does not exist", async () => {
    const dir = projectIn(join(root, "no-command"), '[pipelines.x]\ntap = { command = "tap-that-does-not-exist" }\ntarget = { command = "target-sqlite" }\n');
    const result = await agora(dir, ["run", "x"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("pipeline x, tap-that-does-not-exist: could not start the tap");
  });

  it("reads secrets from the environment, and names a missing variable", async () => {
    const dir = projectIn(
      join(root, "env"),
      '[pipelines.x]\ntap = { command = "tap-sample", config = { users = "${USERS}" } }\ntarget = { command = "target-sqlite" }\n',
    );
    const result = await agora(dir, ["run", "x"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain("environment variable USERS is not set");
  });
});
