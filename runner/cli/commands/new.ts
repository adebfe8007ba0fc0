import { resolve } from "node:path";
import { Command, Option } from "commander";

/** `agora new tap|target NAME`: a connector to start from, passing `agora test` as made. */
export function newCommand(): Command {
  return new Command("new")
    .addArgument(new Command().createArgument("<kind>", "tap or target").choices(["tap", "target"]))
    .argument("<name>", "its name, command and folder (tap-widgets)")
    .addOption(new Option("--lang <language>", "the language it is written in").choices(["ts", "python"]).default("ts"))
    .option("--dir <dir>", "the folder to make (default: ./NAME)")
    .description("make a connector to start from: code, tests, an example config and a README; it passes agora test as made")
    .action(async (kind: "tap" | "target", name: string, options: { lang: "ts" | "python"; dir?: string }) => {
      const { scaffoldConnector } = await import("../../scaffold/scaffold.js");
      const dir = resolve(options.dir ?? name);
      const files = scaffoldConnector(kind, name, options.lang, dir);
      process.stderr.write(
        `made ${dir}: ${files.join(", ")}\nnext: read its README.md (${options.lang === "ts" ? "npm install && npm run build, then " : ""}agora test ${kind} …)\n`,
      );
    });
}
