import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { argsWithConfig, configFileOf } from "../../../runner/connector/connector-config.js";
import type { ConnectorDefinition } from "../../../runner/definition.js";
import { tempDir } from "../../helpers/processes.js";

const connector: ConnectorDefinition = {
  name: "target-x",
  command: "target-x",
  args: ["--verbose"],
  env: {},
  cwd: ".",
  config: { token: "t".repeat(200_000), n: 1 },
};

/** A process reading `file` over and over until its stdin ends, then printing how many reads were not the whole config. */
function startReader(file: string): ReturnType<typeof spawn> {
  const program = `
    const { readFileSync } = require("node:fs");
    let reads = 0, cut = 0, stopped = false;
    process.stdin.on("end", () => { stopped = true; });
    process.stdin.resume();
    process.stdout.write("reading\\n");
    (function read() {
      if (stopped) { process.stdout.write(JSON.stringify({ reads, cut }) + "\\n"); return; }
      for (let i = 0; i < 50; i += 1) {
        reads += 1;
        try { if (JSON.parse(readFileSync(${JSON.stringify(file)}, "utf8")).n !== 1) cut += 1; } catch { cut += 1; }
      }
      setImmediate(read);
    })();`;
  return spawn(process.execPath, ["-e", program], { stdio: ["pipe", "pipe", "inherit"] });
}

describe("argsWithConfig", () => {
  it("passes the config as --config FILE, readable by the owner only", () => {
    const dir = tempDir();
    const args = argsWithConfig(connector, dir);
    const file = configFileOf(connector, dir);
    expect(args).toEqual(["--verbose", "--config", file]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(connector.config);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["target-x.config.json"]);
  });

  it("writes the config again without a connector reading it meanwhile ever seeing it cut short", async () => {
    const dir = tempDir();
    argsWithConfig(connector, dir);
    const reader = startReader(configFileOf(connector, dir));
    const output = reader.stdout as NonNullable<typeof reader.stdout>;
    output.setEncoding("utf8");
    let text = "";
    output.on("data", (chunk: string) => (text += chunk));
    while (!text.includes("reading\n")) await once(output, "data");
    // A run writes a target's config when it starts it, and again for its --about probe.
    for (let write = 0; write < 300; write += 1) argsWithConfig(connector, dir);
    reader.stdin?.end();
    await once(reader, "close");
    const { reads, cut } = JSON.parse(text.slice(text.indexOf("\n") + 1)) as { reads: number; cut: number };
    expect(reads).toBeGreaterThan(0);
    expect(cut).toBe(0);
    expect(readdirSync(dir)).toEqual(["target-x.config.json"]);
  });
});
