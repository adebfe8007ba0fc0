import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/processes.js";
import { agora, PY_TAP } from "../../helpers/project.js";
import { tableRows } from "../../helpers/files.js";

/*
 * What Meltano users keep out of pipelines.toml: environments ([environments.NAME], chosen with
 * --environment, AGORA_ENVIRONMENT or default_environment) and secrets in .env, through the CLI,
 * run from a subfolder of the project as from its own.
 */
const PROJECT = `# The project
default_environment = "dev"

[connectors.sample]
command = "tap-sample"
config = { users = 3, orders = 2 } # small

[connectors.warehouse]
command = "target-sqlite"
config = { database = "\${DB_NAME}.db" }
env = { TOKEN = "\${API_TOKEN}" }

[pipelines.daily]
tap = "sample"
targets = ["warehouse"]

[environments.dev]
env = { DB_NAME = "dev" }

[environments.prod]
state_store = ".agora/prod.db"
env = { DB_NAME = "prod" }
connectors = { sample = { config = { users = 5 } } }
`;

function project(): string {
  const dir = tempDir("agora-environments-");
  writeFileSync(join(dir, "pipelines.toml"), PROJECT);
  writeFileSync(join(dir, ".env"), 'API_TOKEN="tok-5e1d2c9a"\nDB_NAME=fromdotenv\n');
  mkdirSync(join(dir, "sub", "deeper"), { recursive: true });
  return dir;
}

describe("environments and .env", () => {
  it("run the default environment, or the one asked for, each with its own settings and state store, from any subfolder", async () => {
    const dir = project();
    const dev = await agora(join(dir, "sub", "deeper"), ["run", "daily"]);
    expect(dev.exitCode, dev.stderr).toBe(0);
    // dev: the environment's DB_NAME wins over .env's.
    expect(tableRows(join(dir, "dev.db"), "users").map((row) => row["id"])).toEqual([1, 2, 3]);
    const prod = await agora(join(dir, "sub"), ["--environment", "prod", "run", "daily"]);
    expect(prod.exitCode, prod.stderr).toBe(0);
    expect(tableRows(join(dir, "prod.db"), "users").map((row) => row["id"])).toEqual([1, 2, 3, 4, 5]);
    // Each environment has its own state store.
    const devList = await agora(dir, ["state", "list"]);
    const prodList = await agora(dir, ["state", "list"], { AGORA_ENVIRONMENT: "prod" });
    expect(devList.stdout).toMatch(/^pipeline\tsaved\tby run\ndaily\t\S+\t\S+\n$/);
    expect(prodList.stdout.split("\n")[1]?.split("\t")[2]).not.toBe(devList.stdout.split("\n")[1]?.split("\t")[2]);
    // The process's own environment wins over both.
    const own = await agora(dir, ["run", "daily", "--full-refresh"], { DB_NAME: "own" });
    expect(own.exitCode, own.stderr).toBe(0);
    expect(tableRows(join(dir, "own.db"), "users")).toHaveLength(3);
  });

  it("hands connectors what .env defines, and masks its values in what agora prints", async () => {
    const dir = project();
    const config = await agora(dir, ["config", "warehouse"]);
    expect(config.exitCode, config.stderr).toBe(0);
    expect(JSON.parse(config.stdout)).toEqual({ database: "dev.db" });
    expect(config.stderr).toContain("connector warehouse: command target-sqlite; environment dev; variables from .env or the environment: API_TOKEN, DB_NAME");
    // A tap that says what it was given: the .env value reaches it, and is masked where the runner shows it.
    writeFileSync(join(dir, "probe.sh"), '#!/bin/sh\necho "token is $TOKEN, api $API_TOKEN" >&2\n', { mode: 0o755 });
    const probed = await agora(dir, ["run", "--tap", "sh probe.sh", "--target", "target-jsonl"]);
    expect(probed.exitCode, probed.stderr).toBe(0);
    expect(probed.stderr).toContain("token is , api ***");
    expect(probed.stderr).not.toContain("tok-5e1d2c9a");
  });

  it("says which environment is unknown, and which setting names what the project lacks", async () => {
    const dir = project();
    const unknown = await agora(dir, ["--environment", "staging", "run", "daily"]);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('the project has no environment "staging". Environments: dev, prod. [ENVIRONMENT_NOT_FOUND]');
    writeFileSync(join(dir, "pipelines.toml"), `${PROJECT}\n[environments.test]\nconnectors = { warehous = { config = { database = "t.db" } } }\n`);
    const typo = await agora(dir, ["--environment", "test", "run", "daily"]);
    expect(typo.stderr).toContain('environment "test" sets connectors.warehous, which the project does not have');
    expect(typo.stderr).toContain("the project's connectors are sample, warehouse");
    // A setting named __proto__ is a setting (unknown, so refused), never a prototype quietly merged away.
    writeFileSync(join(dir, "pipelines.toml"), `${PROJECT}\n[environments.hostile.connectors.sample]\n"__proto__" = { polluted = true }\n`);
    const hostile = await agora(dir, ["--environment", "hostile", "config", "sample"]);
    expect(hostile.exitCode).toBe(3);
    expect(hostile.stderr).toContain('unknown setting "__proto__" in connectors.sample (in environment "hostile")');
  });
});

describe("agora config", () => {
  it("prints the effective config with secrets masked, and sets a key in pipelines.toml keeping its comments", async () => {
    const dir = project();
    const prod = await agora(dir, ["--environment", "prod", "config", "sample"]);
    expect(JSON.parse(prod.stdout)).toEqual({ users: 5, orders: 2 });
    const set = await agora(dir, ["config", "sample", "set", "orders", "7"]);
    expect(set.exitCode, set.stderr).toBe(0);
    const text = readFileSync(join(dir, "pipelines.toml"), "utf8");
    expect(text).toContain("# The project\n");
    expect(text).toContain("config = { users = 3, orders = 7 } # small\n");
    expect(JSON.parse((await agora(dir, ["config", "sample"])).stdout)).toEqual({ users: 3, orders: 7 });
    await agora(dir, ["config", "warehouse", "set", "api key", '"a b"']);
    expect(readFileSync(join(dir, "pipelines.toml"), "utf8")).toContain('config = { database = "${DB_NAME}.db", "api key" = "a b" }');
  });
});

describe("agora invoke", () => {
  it("runs a connector with its config; with --pipeline, a sync gets the pipeline's checkpoint too", async () => {
    const dir = tempDir("agora-invoke-");
    writeFileSync(
      join(dir, "pipelines.toml"),
      `[connectors.items]\ncommand = "python3 ${PY_TAP}"\nconfig = { count = 30, state_every = 10 }\n\n[connectors.gone]\ncommand = "tap-not-installed-here"\n\n[pipelines.p]\ntap = "items"\ntarget = { command = "target-jsonl" }\n`,
    );
    expect((await agora(dir, ["state", "set", "p", '{"bookmarks": {"items": {"position": 28}}}'])).exitCode).toBe(0);
    const whole = await agora(dir, ["invoke", "items"]);
    expect(whole.exitCode, whole.stderr).toBe(0);
    expect(whole.stdout.split("\n").filter((line) => line.includes('"RECORD"'))).toHaveLength(30);
    const resumed = await agora(dir, ["invoke", "items", "--pipeline", "p"]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const ids = resumed.stdout
      .split("\n")
      .filter((line) => line.includes('"RECORD"'))
      .map((line) => (JSON.parse(line) as { record: { id: number } }).record.id);
    expect(ids).toEqual([29, 30]);
    const other = await agora(dir, ["invoke", "nothing"]);
    expect(other.stderr).toContain('the project has no connector "nothing". Connectors: items, gone.');
    const missing = await agora(dir, ["invoke", "gone"]);
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toMatch(/^agora error: .*could not start gone \(spawn tap-not-installed-here ENOENT\)\. Check its command in pipelines\.toml/m);
  });
});
