import { Command } from "commander";
import { UsageError } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";
import { loggerFor, maybeProject, projectStore, type CommonOptions } from "../cli-context.js";

interface ConsoleOptions {
  readonly port?: string;
  readonly host?: string;
  readonly token?: string;
  readonly readOnly?: boolean;
}

/** Where `agora console` listens when neither --port nor [worker] health_port says. */
const DEFAULT_PORT = 8080;

function portOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(RunnerCodes.USAGE, `--port must be a port number (0 to 65535), not "${text}"`, { hint: "0 picks a free one." });
  return port;
}

export function consoleCommand(common: () => CommonOptions, done: (code: number) => Promise<void>): Command {
  return new Command("console")
    .description("serve the web console of the project's state store (runs, charts, checkpoints, plans, dead letters) without running pipelines")
    .option("--port <port>", `port to serve on (default: [worker] health_port, else ${DEFAULT_PORT}; 0 picks a free one)`)
    .option("--host <host>", "address to bind (default: [worker] health_host, 127.0.0.1)")
    .option("--token <token>", "the sign-in token (or AGORA_HEALTH_AUTH_TOKEN; without either, one is made for this process and printed)")
    .option("--read-only", "show everything, take no action (no dead-letter edit, replay or purge)")
    .action(async (options: ConsoleOptions) => {
      const shared = common();
      const project = maybeProject(shared);
      const token = options.token ?? process.env["AGORA_HEALTH_AUTH_TOKEN"];
      if (token !== undefined && token.trim() === "")
        throw new UsageError(RunnerCodes.HEALTH_TOKEN_EMPTY, "the console's token is empty", { hint: "Give a token, or none to have one made." });
      const port = portOf(options.port, project?.worker.health_port ?? DEFAULT_PORT);
      const store = projectStore(shared, project);
      try {
        // The console's parts load only for this command: every other command starts faster.
        const { serveConsole } = await import("../../worker/serve-console.js");
        await serveConsole({
          project,
          store,
          logger: loggerFor(shared),
          port,
          host: options.host ?? project?.worker.health_host ?? "127.0.0.1",
          token,
          readOnly: options.readOnly === true || project?.worker.console_read_only === true,
        });
        await done(0);
      } finally {
        await store.close();
      }
    });
}
