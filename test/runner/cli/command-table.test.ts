import { describe, expect, it } from "vitest";
import { commandNameIn, commandsFor, type CommandContext } from "../../../runner/cli/command-table.js";
import { agora } from "../../helpers/project.js";
import { tempDir } from "../../helpers/processes.js";

const context: CommandContext = { common: () => ({ logLevel: "info" }), done: async () => undefined };

const EVERY_COMMAND = [
  "run",
  "init",
  "install",
  "add",
  "invoke",
  "config",
  "new",
  "discover",
  "select",
  "explain",
  "state",
  "runs",
  "dlq",
  "worker",
  "console",
  "test",
];

describe("commandNameIn", () => {
  it.each([
    [["run", "p"], "run"],
    [["--project", "run", "state", "show"], "state"],
    [["--state-store", "postgres://x/y", "--environment", "dlq", "--log-level", "debug", "runs"], "runs"],
    [["--project=p.toml", "--debug", "--json", "explain", "p"], "explain"],
    [["--", "run"], "run"],
    [["--log-level", "debug"], undefined],
    [["--help"], undefined],
    [[], undefined],
  ])("%j names %s", (argv, name) => {
    expect(commandNameIn(argv)).toBe(name);
  });
});

describe("commandsFor", () => {
  const names = async (argv: string[]): Promise<string[]> => (await commandsFor(argv, context)).map((command) => command.name());

  it("defines only the command named, with those its module defines beside it", async () => {
    expect(await names(["run", "p", "--help"])).toEqual(["run"]);
    expect(await names(["--json", "state", "show", "p"])).toEqual(["state"]);
    expect(await names(["add", "tap", "x"])).toEqual(["install", "add"]);
    expect(await names(["select", "p"])).toEqual(["discover", "select"]);
  });

  it("defines every command, in help's order, when none we know is named; none for --version", async () => {
    expect(await names(["--help"])).toEqual(EVERY_COMMAND);
    expect(await names(["help", "run"])).toEqual(EVERY_COMMAND);
    expect(await names(["rnu"])).toEqual(EVERY_COMMAND);
    expect(await names(["--version"])).toEqual([]);
  });
});

describe("agora's help and errors with commands loaded on demand", () => {
  it("lists every command in --help, suggests a near name, and shows a command's own help", async () => {
    const dir = tempDir("command-table-");
    const help = await agora(dir, ["--help"]);
    expect(help.exitCode).toBe(0);
    const listed = [...help.stdout.matchAll(/^ {2}(\w+)/gm)].map((match) => match[1]);
    expect(listed).toEqual([...EVERY_COMMAND, "help"]);
    const typo = await agora(dir, ["rnu", "p"]);
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr.trim()).toBe("agora error: unknown command 'rnu' (Did you mean run?). Run `agora --help`. [USAGE]");
    const own = await agora(dir, ["--project", "elsewhere.toml", "dlq", "--help"]);
    expect(own.exitCode).toBe(0);
    expect(own.stdout).toContain("Usage: agora dlq [options] [command]");
    expect(own.stdout).toMatch(/^ {2}replay /m);
    const version = await agora(dir, ["--version"]);
    expect(version.stdout.trim()).toBe("0.1.0");
  });
});
