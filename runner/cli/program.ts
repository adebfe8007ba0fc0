import { Command, CommanderError, Option } from "commander";
import { asAgoraError, exitCodeFor, LOG_LEVELS, UsageError, type LogLevel } from "../../protocol/index.js";
import { commandsFor } from "./command-table.js";
import { maskStream } from "../../protocol/index.js";
import type { CommonOptions } from "./cli-context.js";
import { startTracing, type Tracing } from "../tracing/tracing-setup.js";
import { exitProcess } from "../process/exit-guard.js";
import { RunnerCodes } from "../errors.js";

let tracing: Tracing | undefined;

/** Exits once stderr is written and the spans of this process are sent. */
function finish(code: number): Promise<never> {
  return new Promise(() => {
    void (tracing?.shutdown() ?? Promise.resolve()).then(() => process.stderr.write("", () => exitProcess(code)));
  });
}

/** `agora`: the runner's command line. Every failure is one line on stderr and an exit code. */
export async function main(argv: readonly string[]): Promise<never> {
  // Secrets read from the environment never reach the terminal or a log file through stderr.
  maskStream(process.stderr);
  // OpenTelemetry traces when the standard OTEL_* variables ask for them; off (and not even loaded) otherwise.
  tracing = await startTracing(process.env);
  const program = new Command("agora")
    .description("Run Singer connectors: pipelines with confirmed checkpoints, fan-out, middleware and a dead-letter queue.")
    .version("0.1.0", "-V, --version")
    .option("--project <file>", "the project file (default: ./pipelines.toml)")
    .option("--environment <name>", "read the project in this environment ([environments.NAME]; default: AGORA_ENVIRONMENT, else default_environment)")
    .option("--state-store <location>", "the state store: a SQLite file or postgres://… (default: the project's, else .agora/state.db)")
    .addOption(new Option("--log-level <level>", "least severe runner log shown").choices([...LOG_LEVELS]).default("info"))
    .option("--debug", "show stack traces and debug logs")
    .option("--json", "machine-readable output on stdout")
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false);
  const common = (): CommonOptions => {
    const options = program.opts<{ project?: string; environment?: string; stateStore?: string; logLevel: LogLevel; debug?: boolean; json?: boolean }>();
    return options;
  };
  let exitCode: number | undefined;
  const done = async (code: number): Promise<void> => {
    exitCode = code;
  };
  for (const command of await commandsFor(argv, { common, done })) program.addCommand(command);
  for (const command of program.commands) {
    command
      .exitOverride()
      .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
      .showSuggestionAfterError(true);
    for (const sub of command.commands) sub.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined });
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      if (thrown.code === "commander.helpDisplayed" || thrown.code === "commander.version" || thrown.code === "commander.help") return finish(0);
      const usage = new UsageError(RunnerCodes.USAGE, thrown.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " "), { hint: "Run `agora --help`." });
      process.stderr.write(`agora error: ${usage.toUserLine()}\n`);
      return finish(2);
    }
    const error = asAgoraError(thrown);
    process.stderr.write(`agora error: ${error.toUserLine()}\n`);
    if (argv.includes("--debug") || process.env["AGORA_DEBUG"] === "1") process.stderr.write(`${(thrown as Error).stack ?? String(thrown)}\n`);
    return finish(exitCodeFor(error));
  }
  return finish(exitCode ?? 0);
}
