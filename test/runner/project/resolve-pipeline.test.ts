import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../protocol/index.js";
import { loadProject } from "../../../runner/project/load-project.js";
import { resolvePipeline } from "../../../runner/project/resolve-pipeline.js";
import { agora, projectIn } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";

const root = tempDir("agora-resolve-");

function project(name: string, toml: string) {
  const dir = projectIn(join(root, name), toml);
  return loadProject(join(dir, "pipelines.toml"));
}

describe("resolvePipeline", () => {
  it("reads ${VAR} and ${VAR:-default} in every string of the entry: connectors and middleware alike", () => {
    const loaded = project(
      "env",
      `
[connectors.src]
command = "tap-sample"
config = { token = "\${AGORA_TEST_TOKEN}", region = "\${AGORA_TEST_REGION:-eu}" }

[pipelines.p]
tap = "src"
target = { command = "target-jsonl", config = { destination_path = "\${AGORA_TEST_OUT}" } }
middleware = [{ type = "hash", fields = ["email"], salt = "\${AGORA_TEST_SALT}" }, { type = "add_fields", fields = { source = "\${AGORA_TEST_REGION:-eu}-crm" } }]
`,
    );
    process.env["AGORA_TEST_TOKEN"] = "t0k3n";
    process.env["AGORA_TEST_OUT"] = "/tmp/out";
    process.env["AGORA_TEST_SALT"] = "pepper";
    try {
      const definition = resolvePipeline(loaded, "p");
      expect(definition.tap.config).toEqual({ token: "t0k3n", region: "eu" });
      expect(definition.targets[0]?.config).toEqual({ destination_path: "/tmp/out" });
      expect(definition.middleware).toEqual([
        { type: "hash", fields: ["email"], salt: "pepper" },
        { type: "add_fields", fields: { source: "eu-crm" } },
      ]);
    } finally {
      delete process.env["AGORA_TEST_TOKEN"];
      delete process.env["AGORA_TEST_OUT"];
      delete process.env["AGORA_TEST_SALT"];
    }
  });

  it("names inline connectors by their program: the script after an interpreter, a generic entry script by its folder", () => {
    const loaded = project(
      "names",
      `
[pipelines.p]
tap = { command = "node ./node_modules/agora/dist/connectors/tap-csv/bin.js --config c.json" }
targets = [{ command = "python3 -u tools/target_x/__main__.py" }, { command = "python3 load.py" }, { command = "node index.js" }, { command = "bash -c 'cat > out'" }]
`,
    );
    const definition = resolvePipeline(loaded, "p");
    expect([definition.tap.name, ...definition.targets.map((target) => target.name)]).toEqual(["tap-csv", "target_x", "load.py", "index.js", "bash"]);
  });

  it("names an unset variable without a default, and where it is used", () => {
    const loaded = project(
      "unset",
      `[pipelines.p]\ntap = { command = "tap-sample" }\ntarget = { command = "target-jsonl" }\nmiddleware = [{ type = "hash", fields = ["email"], salt = "\${AGORA_TEST_NOT_SET}" }]\n`,
    );
    expect(() => resolvePipeline(loaded, "p")).toThrow(ConfigError);
    expect(() => resolvePipeline(loaded, "p")).toThrow("environment variable AGORA_TEST_NOT_SET is not set");
    try {
      resolvePipeline(loaded, "p");
    } catch (error) {
      expect((error as ConfigError).toUserLine()).toMatch(
        /^setting pipelines\.p\.middleware\[0\]\.salt: environment variable AGORA_TEST_NOT_SET is not set\. /,
      );
    }
  });

  it("merges config_file under config: config wins key by key", () => {
    const dir = join(root, "config-file");
    const loaded = project(
      "config-file",
      `[connectors.src]\ncommand = "tap-sample"\nconfig_file = "base.json"\nconfig = { users = 5 }\n\n[pipelines.p]\ntap = "src"\ntarget = { command = "target-jsonl" }\n`,
    );
    writeFileSync(join(dir, "base.json"), JSON.stringify({ users: 1000, orders: 7, seed: 3 }));
    expect(resolvePipeline(loaded, "p").tap.config).toEqual({ users: 5, orders: 7, seed: 3 });
  });
});

describe("a hash salt from the environment, through agora run", () => {
  it("hashes with the variable's value, not the text ${SALT}", async () => {
    const dir = projectIn(
      join(root, "salt"),
      `
[pipelines.p]
tap = { command = "tap-sample", config = { users = 3, orders = 0 } }
target = { command = "target-jsonl", config = { destination_path = "out" } }
middleware = [{ type = "hash", fields = ["email"], salt = "\${SALT}" }]
`,
    );
    const result = await agora(dir, ["run", "p"], { SALT: "pepper" });
    expect(result.exitCode).toBe(0);
    const emails = readFileSync(join(dir, "out", "users.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { email: string }).email);
    const hmac = (salt: string, email: string): string => createHmac("sha256", salt).update(email).digest("hex");
    expect(emails).toEqual(
      ["edsger.lovelace.1@example.com", "dennis.allen.2@example.com", "barbara.hamilton.3@example.com"].map((email) => hmac("pepper", email)),
    );
  });
});

describe("defaults come from the project schema", () => {
  it("fills in every setting the file leaves out, for pipelines, schedules and the worker", () => {
    const loaded = project("defaults", `[pipelines.p]\ntap = { command = "tap-sample" }\ntarget = { command = "target-jsonl" }\nschedule = { every = "1h" }\n`);
    expect(loaded.worker).toEqual({
      concurrency: 4,
      health_host: "127.0.0.1",
      graceful_shutdown_timeout_seconds: 30,
      lease_seconds: 60,
      progress_interval_seconds: 10,
      metrics_max_streams: 100,
      console: true,
      console_read_only: false,
    });
    expect(loaded.stateStore).toBe(join(root, "defaults", ".agora", "state.db"));
    expect(loaded.pipelines["p"]?.schedule).toEqual({ every: "1h", max_consecutive_errors: 5, error_backoff_seconds: 30, error_backoff_max_seconds: 3600 });
    const definition = resolvePipeline(loaded, "p");
    expect([
      definition.onError,
      definition.validate,
      definition.idleTimeoutSeconds,
      definition.concurrency,
      definition.middleware,
      definition.maxRecords,
    ]).toEqual(["dlq", true, 300, 64, [], undefined]);
  });

  it("keeps what the file says over a default", () => {
    const loaded = project(
      "explicit",
      `[worker]\nconcurrency = 2\n\n[pipelines.p]\ntap = { command = "tap-sample" }\ntarget = { command = "target-jsonl" }\non_error = "skip"\nidle_timeout_seconds = 5\n`,
    );
    expect(loaded.worker.concurrency).toBe(2);
    expect(resolvePipeline(loaded, "p")).toMatchObject({ onError: "skip", idleTimeoutSeconds: 5 });
  });
});
