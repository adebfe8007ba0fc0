import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/processes.js";
import { agora } from "../../helpers/project.js";
import { writeProject } from "../../helpers/pipeline-project.js";
import { buildWheel } from "../../helpers/python-wheel.js";

/*
 * Connectors installed from the project file, without a network: a Python tap as a wheel built
 * here (test/helpers/python-wheel.ts) installed with `pip --no-index` into a virtualenv of its
 * own, and a Node target as a tarball packed here with `npm pack`, installed into a prefix of its
 * own. The tap writes the Python it runs under (sys.prefix) into each record, so a test sees that
 * the runner ran the installed one.
 */
const TAP_MAIN = `import json, sys

def main():
    if "--about" in sys.argv:
        print(json.dumps({"name": "tap-local", "version": "VERSION", "capabilities": ["state"]}))
        return
    print(json.dumps({"type": "SCHEMA", "stream": "things", "schema": {"type": "object", "properties": {"id": {"type": "integer"}, "python": {"type": "string"}, "version": {"type": "string"}}}, "key_properties": ["id"]}))
    for n in range(1, 4):
        print(json.dumps({"type": "RECORD", "stream": "things", "record": {"id": n, "python": sys.prefix, "version": "VERSION"}}))
    print(json.dumps({"type": "STATE", "value": {"done": 3}}))
`;

const TARGET_BIN = `#!/usr/bin/env node
const { appendFileSync } = require("node:fs");
const lines = require("node:readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const message = JSON.parse(line);
  if (message.type === "RECORD") appendFileSync("local-target.jsonl", JSON.stringify(message.record) + "\\n");
  if (message.type === "STATE") process.stdout.write(JSON.stringify(message.value) + "\\n");
});
`;

/** Builds tap_local-VERSION-py3-none-any.whl in `dir`; returns its file name. */
function buildTapWheel(dir: string, version: string): string {
  return buildWheel(dir, {
    name: "tap-local",
    version,
    files: { "tap_local/__init__.py": "", "tap_local/main.py": TAP_MAIN.replaceAll("VERSION", version) },
    scripts: { "tap-local": "tap_local.main:main" },
  });
}

/** Packs target-local-1.2.0.tgz into `dir` with npm pack; returns its file name. */
function packTarget(dir: string): string {
  const work = join(dir, "target-src");
  mkdirSync(join(work, "bin"), { recursive: true });
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "target-local", version: "1.2.0", bin: { "target-local": "bin/target-local.js" } }));
  writeFileSync(join(work, "bin", "target-local.js"), TARGET_BIN, { mode: 0o755 });
  execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: work });
  return "target-local-1.2.0.tgz";
}

function project(dir: string, wheel: string, tarball: string): void {
  writeProject(dir, {
    connectors: { local: { command: "tap-local", pip_url: `--no-index ./${wheel}` }, sink: { command: "target-local", npm: `./${tarball}` } },
    pipelines: { p: { tap: "local", targets: ["sink"] } },
  });
}

const outputRecords = (dir: string) =>
  readFileSync(join(dir, "local-target.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { id: number; python: string; version: string });

describe("agora install", () => {
  // One project through its whole life, since each virtualenv costs seconds: three virtualenvs and two npm installs,
  // 22 s on a quiet machine, over 30 s on a loaded one.
  it("installs a pip_url into a virtualenv and an npm tarball into a prefix, locks them, installs a fresh checkout from the lock, and says a changed pip_url before a run", async () => {
    const dir = tempDir("agora-install-");
    const tarball = packTarget(dir);
    project(dir, buildTapWheel(dir, "0.3.1"), tarball);
    // Runs refuse to start before the install, saying what to run.
    const before = await agora(dir, ["run", "p"]);
    expect(before.exitCode).toBe(1);
    expect(before.stderr).toContain(
      'local is not installed (it has pip_url = "--no-index ./tap_local-0.3.1-py3-none-any.whl"). Run `agora install local`. [CONNECTOR_NOT_INSTALLED]',
    );
    const installed = await agora(dir, ["install"]);
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(installed.stderr).toContain("local: installed (pip_url --no-index ./tap_local-0.3.1-py3-none-any.whl)");
    expect(installed.stderr).toContain("sink: installed (npm ./target-local-1.2.0.tgz)");
    const lock = JSON.parse(readFileSync(join(dir, "agora-lock.json"), "utf8")) as { connectors: Record<string, { kind: string; resolved: string }> };
    expect(lock.connectors["local"]?.resolved).toMatch(/^tap-local @ file:\/\/.*tap_local-0\.3\.1-py3-none-any\.whl$/m);
    expect(JSON.parse(lock.connectors["sink"]?.resolved ?? "{}").packageLock).toContain('"version": "1.2.0"');
    // The run takes them from there: the tap's records name the virtualenv's Python.
    const run = await agora(dir, ["run", "p"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(outputRecords(dir)).toEqual([1, 2, 3].map((id) => ({ id, python: join(dir, ".agora", "connectors", "local", "venv"), version: "0.3.1" })));
    const again = await agora(dir, ["install"]);
    expect(again.stderr).toContain("local: up to date");
    expect(again.stderr).toContain("sink: up to date");
    // A fresh checkout: the project and the lock, no installs.
    rmSync(join(dir, ".agora"), { recursive: true });
    const fresh = await agora(dir, ["install"]);
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain("local: installed from the lock");
    expect(fresh.stderr).toContain("sink: installed from the lock");
    rmSync(join(dir, "local-target.jsonl"));
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(outputRecords(dir).map((record) => record.version)).toEqual(["0.3.1", "0.3.1", "0.3.1"]);
    // The project moves to a new version: a run says it is not what was installed.
    project(dir, buildTapWheel(dir, "0.4.0"), tarball);
    const stale = await agora(dir, ["run", "p"]);
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain(
      'local was installed from pip_url = "--no-index ./tap_local-0.3.1-py3-none-any.whl", and the project now says pip_url = "--no-index ./tap_local-0.4.0-py3-none-any.whl"',
    );
    const upgraded = await agora(dir, ["install", "local"]);
    expect(upgraded.stderr).toContain("local: installed (pip_url --no-index ./tap_local-0.4.0-py3-none-any.whl)");
    expect(upgraded.stderr).not.toContain("sink");
    rmSync(join(dir, "local-target.jsonl"));
    expect((await agora(dir, ["run", "p"])).exitCode).toBe(0);
    expect(outputRecords(dir).map((record) => record.version)).toEqual(["0.4.0", "0.4.0", "0.4.0"]);
  }, 180_000);

  it("says in one line which step failed and what the tool said", async () => {
    const dir = tempDir("agora-install-fail-");
    writeProject(dir, {
      connectors: { missing: { command: "tap-missing", pip_url: "--no-index tap-missing-nowhere" } },
      pipelines: { p: { tap: "missing", target: "target-jsonl" } },
    });
    const failed = await agora(dir, ["install"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(
      /missing: could not pip install --no-index tap-missing-nowhere: .*No matching distribution found for tap-missing-nowhere.* \[INSTALL_FAILED\]/,
    );
    expect(failed.stderr).not.toContain("looks like a bug");
    expect(existsSync(join(dir, ".agora", "connectors", "missing", "installed.json"))).toBe(false);
  });
});

describe("agora add", () => {
  // Installed with npm, which takes a fraction of a virtualenv's time; pip installs are the install test's.
  it("writes a [connectors] table into pipelines.toml, keeping its comments, and installs it", async () => {
    const dir = tempDir("agora-add-");
    const tarball = packTarget(dir);
    writeFileSync(join(dir, "pipelines.toml"), '# our pipelines\n[pipelines.p]\ntap = "local" # added below\ntarget = "sink"\n');
    const added = await agora(dir, ["add", "target", "sink", "--command", "target-local", "--npm", `./${tarball}`]);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stderr).toContain(`added [connectors.sink] to ${join(dir, "pipelines.toml")}; use it in a pipeline as target = "sink"`);
    expect(added.stderr).toContain(`sink: installed (npm ./${tarball})`);
    expect(existsSync(join(dir, ".agora", "connectors", "sink", "installed.json"))).toBe(true);
    const wheel = "tap_local-0.3.1-py3-none-any.whl";
    const table = await agora(dir, ["add", "tap", "local", "--command", "tap-local", "--pip-url", `--no-index ./${wheel}`, "--no-install"]);
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stderr).not.toContain("installed");
    const text = readFileSync(join(dir, "pipelines.toml"), "utf8");
    expect(text).toContain('# our pipelines\n[pipelines.p]\ntap = "local" # added below\ntarget = "sink"\n');
    expect(text).toContain(`[connectors.sink]\ncommand = "target-local"\nnpm = "./${tarball}"`);
    expect(text).toContain(`[connectors.local]\ncommand = "tap-local"\npip_url = "--no-index ./${wheel}"`);
    expect(existsSync(join(dir, ".agora", "connectors", "local"))).toBe(false);
    const twice = await agora(dir, ["add", "tap", "local"]);
    expect(twice.exitCode).not.toBe(0);
    expect(twice.stderr).toContain('the project already has a connector "local"');
  });
});
