import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseWithCommander } from "../../../../protocol/sdk/cli/commander-args.js";
import { connectorArgsOf, parseConnectorArgs, quickParse } from "../../../../protocol/sdk/cli/connector-args.js";
import { HelpShown, type ProgramInfo } from "../../../../protocol/sdk/cli/connector-options.js";
import { packagesLoadedAtStart } from "../../../helpers/build-imports.js";
import { connectorBin, ROOT } from "../../../helpers/processes.js";

const TAP: ProgramInfo = { name: "tap-x", version: "1.2.3", description: "a tap", kind: "tap" };
const TARGET: ProgramInfo = { ...TAP, name: "target-x", kind: "target" };

/*
 * A connector parses a well-formed command line with Node's parseArgs and anything else with
 * commander. Each command line below is parsed both ways: where the quick parse takes one, it
 * must read it exactly as commander does; where it declines, commander has the last word.
 */
describe("a connector's command line", () => {
  it.each([
    [[]],
    [["--about"]],
    [["--about", "--format", "markdown"]],
    [["--about", "--format=json"]],
    [["-c", "a.json", "--config", "b.json", "--config=c.json", "-cd.json"]],
    [["--discover", "-c", "x.json"]],
    [["-dc", "x.json"]],
    [["-dcx.json"]],
    [["--catalog", "cat.json", "--state", "s.json", "--config", "c.json"]],
    [["-p", "props.json", "-s", "state.json"]],
    [["--state", "a.json", "--state", "b.json"]],
    [["--state="]],
    [["--test_connection", "--config", "c.json"]],
    [["--test-connection"]],
    [["--log-level", "debug"]],
    [["--log-level=warn", "--debug"]],
    [["--config", "--odd-name.json"]],
    [["--config", "-"]],
  ])("reads %j as commander does", (argv) => {
    const quick = quickParse(argv, "tap");
    const commander = parseWithCommander(argv, TAP);
    if (quick !== undefined) expect(quick).toEqual(commander);
  });

  it("takes the common command lines without commander", () => {
    for (const argv of [
      ["--about", "--format", "json"],
      ["--config", "c.json", "--catalog", "k.json", "--state", "s.json"],
      ["--discover", "-c", "c.json"],
      ["-c", "c.json"],
    ])
      expect(quickParse(argv, "tap"), argv.join(" ")).toBeDefined();
    expect(quickParse(["--config", "c.json"], "target")).toEqual({
      about: undefined,
      format: "json",
      config: ["c.json"],
      test_connection: undefined,
      "test-connection": undefined,
      "log-level": "info",
      debug: undefined,
    });
  });

  it.each([
    [["--help"]],
    [["-h"]],
    [["--version"]],
    [["--about=yes"]],
    [["--format", "yaml"]],
    [["--log-level", "loud"]],
    [["--confg", "c.json"]],
    [["--config"]],
    [["extra"]],
    [["--", "--about"]],
  ])("leaves %j to commander", (argv) => {
    expect(quickParse(argv, "tap")).toBeUndefined();
  });

  it("leaves a tap's options to commander in a target, which names the nearest option", async () => {
    expect(quickParse(["--state", "s.json"], "target")).toBeUndefined();
    await expect(parseConnectorArgs(["--state", "s.json"], TARGET)).rejects.toThrow("unknown option '--state'");
    await expect(parseConnectorArgs(["--confg", "c.json"], TARGET)).rejects.toThrow("unknown option '--confg' (Did you mean --config?)");
    await expect(parseConnectorArgs(["--format", "yaml"], TAP)).rejects.toThrow(
      "option '--format <format>' argument 'yaml' is invalid. Allowed choices are json, markdown.",
    );
  });

  it("stops with HelpShown after --help or --version", async () => {
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await expect(parseConnectorArgs(["--version"], TAP)).rejects.toBeInstanceOf(HelpShown);
      await expect(parseConnectorArgs(["--help"], TAP)).rejects.toBeInstanceOf(HelpShown);
    } finally {
      process.stdout.write = write;
    }
    expect(written[0]).toBe("1.2.3\n");
    expect(written[1]).toContain("Usage: tap-x [options]\n\na tap\n\nOptions:\n  -V, --version");
    expect(written[1]).toMatch(/ {2}--format <format> +format of --about \(choices: "json", "markdown",\s+default: "json"\)/);
    expect(written[1]).not.toContain("--test-connection");
  });

  it("gives the mode, files and log level, and refuses two modes or --catalog with --properties", async () => {
    expect(await parseConnectorArgs(["-p", "p.json", "--debug", "-c", "a", "-c", "b"], TAP)).toEqual({
      mode: "sync",
      format: "json",
      configFiles: ["a", "b"],
      catalogFile: "p.json",
      stateFile: undefined,
      logLevel: "debug",
      debug: true,
    });
    expect((await parseConnectorArgs(["--test-connection"], TAP)).mode).toBe("test_connection");
    expect(() => connectorArgsOf(quickParse(["--about", "--discover"], "tap") ?? {}, "tap-x")).toThrow("choose one mode, not --about and --discover");
    await expect(parseConnectorArgs(["--catalog", "a", "--properties", "b"], TAP)).rejects.toThrow("give --catalog or --properties, not both");
  });
});

describe("our connectors' start", () => {
  it("loads no commander, which the runner's does", () => {
    const connectors = readdirSync(`${ROOT}/connectors`);
    expect(connectors).toContain("target-jsonl");
    for (const connector of connectors) expect(packagesLoadedAtStart(connectorBin(connector)), connector).not.toContain("commander");
    expect(packagesLoadedAtStart(`${ROOT}/dist/runner/cli/bin.js`)).toContain("commander");
  });
});
