import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { UsageError } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

const SAMPLE_PROJECT = `# An Agora project: connectors, and pipelines that wire them together.
# Run a pipeline with \`agora run sample\`; see docs/runner.md for every setting.

# Where the runner keeps checkpoints, run history and the dead-letter queue.
state_store = ".agora/state.db"

[connectors.sample]
# Generated, deterministic data: 1,000 users and 5,000 orders.
command = "tap-sample"
config = { users = 1000, orders = 5000 }

[connectors.warehouse]
command = "target-sqlite"
config = { database = "warehouse.db" }

[pipelines.sample]
tap = "sample"
targets = ["warehouse"]
# What to do with a record that fails validation, a middleware or a write: dlq, fail or skip.
on_error = "dlq"
middleware = [
  # Keep e-mail addresses joinable but unreadable: an HMAC keyed by a secret salt from the
  # environment (without a salt, anyone could hash a known address and find it). Set
  # EMAIL_HASH_SALT to a long random value of your own and keep it secret; the default is for the demo only.
  { type = "hash", fields = ["email"], salt = "\${EMAIL_HASH_SALT:-demo-only-change-me}", streams = ["users"] },
  # A derived field.
  { type = "add_fields", fields = { big_order = { expression = "total >= 1000", type = "boolean" } }, streams = ["orders"] },
]
`;

export function initCommand(): Command {
  return new Command("init")
    .description("make a project with a sample pipeline (tap-sample → SQLite) in DIR")
    .argument("[dir]", "the project folder (created if missing)", ".")
    .option("--force", "overwrite an existing pipelines.toml")
    .action((dir: string, options: { force?: boolean }) => {
      const folder = resolve(dir);
      const file = join(folder, "pipelines.toml");
      if (existsSync(file) && options.force !== true) {
        throw new UsageError(RunnerCodes.PROJECT_EXISTS, `${file} already exists`, { hint: "Use --force to overwrite it, or choose another folder." });
      }
      mkdirSync(folder, { recursive: true });
      writeFileSync(file, SAMPLE_PROJECT);
      const gitignore = join(folder, ".gitignore");
      const ignored = existsSync(gitignore) ? readFileSync(gitignore, "utf8") : "";
      if (!ignored.split("\n").includes(".agora/"))
        writeFileSync(gitignore, `${ignored}${ignored === "" || ignored.endsWith("\n") ? "" : "\n"}.agora/\nwarehouse.db*\n`);
      process.stderr.write(`made ${file}\nnext: ${dir === "." ? "" : `cd ${dir} && `}agora run sample\n`);
    });
}
