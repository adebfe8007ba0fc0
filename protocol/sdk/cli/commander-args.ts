import { Command, CommanderError, Option } from "commander";
import { UsageError } from "../../errors.js";
import { ProtocolCodes } from "../../messages/codes.js";
import { HelpShown, optionsFor, type OptionValues, type ProgramInfo } from "./connector-options.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function buildProgram(info: ProgramInfo): { program: Command; options: ReadonlyArray<readonly [name: string, option: Option]> } {
  const program = new Command(info.name).description(info.description).version(info.version, "-V, --version").helpOption("-h, --help");
  const options = optionsFor(info.kind).map((spec) => {
    const flags = `${spec.short === undefined ? "" : `-${spec.short}, `}--${spec.name}${spec.value === undefined ? "" : ` ${spec.value}`}`;
    const option = new Option(flags, spec.description);
    if (spec.choices !== undefined) option.choices([...spec.choices]);
    if (spec.default !== undefined) option.default(spec.default);
    if (spec.repeatable === true) option.argParser(collect).default([] as string[]);
    if (spec.hidden === true) option.hideHelp();
    program.addOption(option);
    return [spec.name, option] as const;
  });
  program
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(true);
  return { program, options };
}

/**
 * Parses a command line with commander: what `--help` and `--version` print,
 * and every message for a command line that is wrong (with the nearest
 * option's name). Loaded only when the quick parse declines a command line.
 */
export function parseWithCommander(argv: readonly string[], info: ProgramInfo): OptionValues {
  const { program, options } = buildProgram(info);
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") throw new HelpShown();
      throw new UsageError(ProtocolCodes.USAGE, error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " "), {
        where: { connector: info.name },
        hint: `Run \`${info.name} --help\` for the options.`,
      });
    }
    throw error;
  }
  const parsed = program.opts<Record<string, string | string[] | boolean | undefined>>();
  return Object.fromEntries(options.map(([name, option]) => [name, parsed[option.attributeName()]]));
}
