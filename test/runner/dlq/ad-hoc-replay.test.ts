import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { agora } from "../../helpers/project.js";
import { connectorBin, tempDir } from "../../helpers/processes.js";

/*
 * An ad hoc run (`agora run --tap ... --target ...`, no pipelines.toml) leaves its command lines
 * in the state store, secrets masked, so its dead letters can be repaired and replayed. Before,
 * `agora dlq replay` of one said PROJECT_NOT_FOUND. The tap is a Python script.
 */
const TAP = `import json
print(json.dumps({"type": "SCHEMA", "stream": "events", "schema": {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": "integer"}}}, "key_properties": ["id"]}))
print('{"type": "RECORD", "stream": "events", "record": {"id": 1, "n": 5}}')
print('{"type": "RECORD", "stream": "events", "record": {"id": 2, "n": "five"}}')
print('{"type": "STATE", "value": {"at": 2}}')
`;

function folder(name: string): string {
  const dir = tempDir(`agora-adhoc-${name}-`);
  writeFileSync(join(dir, "tap.py"), TAP);
  writeFileSync(join(dir, "target.json"), JSON.stringify({ destination_path: "out" }));
  return dir;
}

const landed = (dir: string): string => readFileSync(join(dir, "out", "events.jsonl"), "utf8");

describe("dead letters of an ad hoc run", () => {
  it("are edited and replayed into the run's target, from the folder it ran in", async () => {
    const dir = folder("plain");
    const run = await agora(dir, ["run", "--tap", "python3 tap.py", "--target", "target-jsonl --config target.json", "--name", "events"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain("1 to the DLQ");
    expect((await agora(dir, ["dlq", "edit", "events", "1", "--set", "n=55"])).exitCode).toBe(0);
    const replay = await agora(dir, ["dlq", "replay", "events"]);
    expect(replay.exitCode, replay.stderr).toBe(0);
    expect(replay.stderr).toContain("1 succeeded");
    expect(landed(dir)).toContain('{"id":2,"n":55}');
  });

  it("keep no secret of the commands: a replay asks for the target command again, and takes it", async () => {
    const dir = folder("secret");
    const secret = "s3cr3t-token-value";
    // A target wrapper taking a credential on its command line, as some do.
    writeFileSync(join(dir, "target.sh"), `#!/bin/sh\nexec "${process.execPath}" "${connectorBin("target-jsonl")}" --config target.json\n`, { mode: 0o755 });
    const target = `./target.sh --password ${secret}`;
    const run = await agora(dir, ["run", "--tap", "python3 tap.py", "--target", target]);
    expect(run.exitCode, run.stderr).toBe(0);
    const name = /ad hoc pipeline (adhoc-[0-9a-f]{8})/.exec(run.stderr)?.[1] as string;
    expect(name).toBeDefined();
    const db = new BetterSqlite3(join(dir, ".agora", "state.db"), { readonly: true });
    const kept = (db.prepare("SELECT commands FROM ad_hoc_pipelines WHERE pipeline = ?").get(name) as { commands: string }).commands;
    db.close();
    expect(kept).not.toContain(secret);
    expect(JSON.parse(kept)).toMatchObject({ targets: ["./target.sh --password ***"], masked: true });

    await agora(dir, ["dlq", "edit", name, "1", "--set", "n=56"]);
    const refused = await agora(dir, ["dlq", "replay", name]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(
      `ad hoc pipeline ${name}'s commands held a secret, which the state store does not keep: --target './target.sh --password ***'`,
    );
    expect(refused.stderr).not.toContain(secret);
    const replay = await agora(dir, ["dlq", "replay", name, "--target", target]);
    expect(replay.exitCode, replay.stderr).toBe(0);
    expect(landed(dir)).toContain('{"id":2,"n":56}');
  });

  it("of a name nothing ran under is refused in one line", async () => {
    const dir = folder("unknown");
    const refused = await agora(dir, ["dlq", "replay", "nosuch"]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('no pipeline "nosuch" here (no pipelines.toml), and no ad hoc run of that name in the state store');
  });
});
