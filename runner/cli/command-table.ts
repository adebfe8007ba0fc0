import type { Command } from "commander";
import type { CommonOptions } from "./cli-context.js";

/** What a command's definition is given: the shared options, and where to report an exit code. */
export interface CommandContext {
  readonly common: () => CommonOptions;
  readonly done: (code: number) => Promise<void>;
}

type CommandLoader = (context: CommandContext) => Promise<Command[]>;

/**
 * agora's commands in the order `agora --help` lists them, each loaded
 * only when asked for: a command's module brings what it runs (the run
 * core, the console's server, the scheduler), and loading every one of
 * them made each command start as slowly as all of them together.
 */
const COMMANDS: ReadonlyArray<readonly [names: readonly string[], load: CommandLoader]> = [
  [["run"], async ({ common, done }) => [(await import("./commands/run.js")).runCommand(common, done)]],
  [["init"], async () => [(await import("./commands/init.js")).initCommand()]],
  [
    ["install", "add"],
    async ({ common }) => {
      const { installCommand, addCommand } = await import("./commands/install.js");
      return [installCommand(common), addCommand(common)];
    },
  ],
  [["invoke"], async ({ common, done }) => [(await import("./commands/invoke.js")).invokeCommand(common, done)]],
  [["config"], async ({ common }) => [(await import("./commands/config.js")).configCommand(common)]],
  [["new"], async () => [(await import("./commands/new.js")).newCommand()]],
  [
    ["discover", "select"],
    async ({ common }) => {
      const { discoverCommand, selectCommand } = await import("./commands/catalog.js");
      return [discoverCommand(common), selectCommand(common)];
    },
  ],
  [["explain"], async ({ common }) => [(await import("./commands/explain.js")).explainCommand(common)]],
  [["state"], async ({ common }) => [(await import("./commands/state.js")).stateCommand(common)]],
  [["runs"], async ({ common }) => [(await import("./commands/runs.js")).runsCommand(common)]],
  [["dlq"], async ({ common, done }) => [(await import("./commands/dlq.js")).dlqCommand(common, done)]],
  [["worker"], async ({ common, done }) => [(await import("./commands/worker.js")).workerCommand(common, done)]],
  [["console"], async ({ common, done }) => [(await import("./commands/console.js")).consoleCommand(common, done)]],
  [["test"], async ({ common, done }) => [(await import("./commands/test.js")).testCommand(common, done)]],
];

/** The global options that take a value: the word after one of them is its value, not a command. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["--project", "--environment", "--state-store", "--log-level"]);

/** The command a command line names (`agora --project p.toml run x` → "run"), or undefined before any (`agora --help`). */
export function commandNameIn(argv: readonly string[]): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index] as string;
    if (word === "--") return argv[index + 1];
    if (!word.startsWith("-")) return word;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(word)) index += 1;
  }
  return undefined;
}

/**
 * The commands to define for this command line: the one it names, or every
 * one when it names none we know (`agora --help`, `agora help`, a typo that
 * gets a suggestion), so that commander's help and errors stay whole; none
 * for `agora --version`.
 */
export async function commandsFor(argv: readonly string[], context: CommandContext): Promise<Command[]> {
  const name = commandNameIn(argv);
  // `agora --version` prints the version before any command is looked at.
  if (name === undefined && (argv.includes("--version") || argv.includes("-V"))) return [];
  const named = COMMANDS.find(([names]) => name !== undefined && names.includes(name));
  const chosen = named === undefined ? COMMANDS : [named];
  const loaded = await Promise.all(chosen.map(([, load]) => load(context)));
  return loaded.flat();
}
