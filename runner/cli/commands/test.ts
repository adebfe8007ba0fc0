import { Command, Option } from "commander";
import { UsageError } from "../../../protocol/index.js";
import type { CheckResult } from "../../conformance/check-result.js";
import { writeOut, type CommonOptions } from "../cli-context.js";
import { RunnerCodes } from "../../errors.js";

interface TestOptions {
  readonly config: string[];
  readonly maxRecords: string;
  readonly timeout: string;
  readonly read?: string;
  readonly reader?: string;
  readonly allowEmpty?: boolean;
  readonly catalogFlag?: "catalog" | "properties";
}

function positive(text: string, flag: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new UsageError(RunnerCodes.USAGE, `${flag} must be a positive number, not "${text}"`, { hint: "Run `agora test --help`." });
  return value;
}

async function report(kind: string, command: string, results: CheckResult[], json: boolean, done: (code: number) => Promise<void>): Promise<void> {
  const failed = results.some((result) => result.status === "fail");
  if (json) await writeOut(`${JSON.stringify({ kind, command, passed: !failed, checks: results })}\n`);
  else await writeOut(`${(await import("../../conformance/report.js")).renderReport(kind, command, results)}\n`);
  await done(failed ? 1 : 0);
}

export function testCommand(common: () => CommonOptions, done: (code: number) => Promise<void>): Command {
  const test = new Command("test").description("check that a connector, in any language, speaks the protocol correctly");
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  test
    .command("tap")
    .argument("<command>", "the tap's command line, e.g. 'python3 tap.py'")
    .option("--config <file>", "config file for the tap (repeatable)", collect, [] as string[])
    .option("--max-records <n>", "stop each sync after this many records", "1000")
    .option("--timeout <seconds>", "give up on any one step after this long", "60")
    .option("--allow-empty", "a sync with no records passes (by default it fails: its record checks would have checked nothing)")
    .addOption(
      new Option("--catalog-flag <flag>", "hand the tap its catalog as --catalog or --properties (default: what its --about says, else --catalog)").choices([
        "catalog",
        "properties",
      ]),
    )
    .description("run a tap through --about, --discover, --test_connection and syncs, and check each")
    .action(async (command: string, options: TestOptions) => {
      // The conformance kit loads only for this command: every other command starts faster.
      const { runTapSuite } = await import("../../conformance/tap-suite.js");
      const results = await runTapSuite(command, {
        configFiles: options.config,
        maxRecords: positive(options.maxRecords, "--max-records"),
        timeoutSeconds: positive(options.timeout, "--timeout"),
        cwd: process.cwd(),
        allowEmpty: options.allowEmpty === true,
        ...(options.catalogFlag === undefined ? {} : { catalogFlag: options.catalogFlag === "properties" ? "--properties" : "--catalog" }),
      });
      await report("tap", command, results, common().json === true, done);
    });
  test
    .command("target")
    .argument("<command>", "the target's command line, e.g. 'target-sqlite --config t.json'")
    .option("--config <file>", "config file for the target (repeatable)", collect, [] as string[])
    .option("--read <where>", "read back what it wrote: sqlite:FILE, jsonl:DIR, csv:DIR, parquet:DIR, duckdb:FILE or postgres:URL (?schema=NAME)")
    .option("--reader <command>", 'or a command printing what it wrote as JSON lines {"stream", "record"}')
    .option("--timeout <seconds>", "give up after this long", "120")
    .description("feed a target fixture streams covering the protocol, and check what it confirms and writes")
    .action(async (command: string, options: TestOptions) => {
      const { runTargetSuite } = await import("../../conformance/target-suite.js");
      const results = await runTargetSuite(command, {
        configFiles: options.config,
        timeoutSeconds: positive(options.timeout, "--timeout"),
        cwd: process.cwd(),
        read: options.read,
        reader: options.reader,
      });
      await report("target", command, results, common().json === true, done);
    });
  for (const role of ["source", "destination"] as const) {
    test
      .command(`airbyte-${role}`)
      .argument("<command>", `the Airbyte ${role}'s command line, e.g. '${role}-faker' or 'python3 ${role}.py'`)
      .requiredOption("--config <file>", `a config the ${role} accepts`)
      .option("--bad-config <file>", "a config its check must refuse (default: an empty one)")
      .option("--timeout <seconds>", "give up on any one command after this long", "120")
      .description(
        role === "source"
          ? "run an Airbyte source through spec, check (good and bad config), discover, read, and a read resumed from its own state"
          : "run an Airbyte destination through spec, check, and a write whose STATE echoes must all come back in order",
      )
      .action(async (command: string, options: { config: string; badConfig?: string; timeout: string }) => {
        const suites = await import("../../conformance/airbyte-suite.js");
        const run = role === "source" ? suites.runAirbyteSourceSuite : suites.runAirbyteDestinationSuite;
        const results = await run(command, {
          config: options.config,
          badConfig: options.badConfig,
          timeoutSeconds: positive(options.timeout, "--timeout"),
          cwd: process.cwd(),
        });
        await report(`airbyte ${role}`, command, results, common().json === true, done);
      });
  }
  return test;
}
