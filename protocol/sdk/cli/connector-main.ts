import { asAgoraError } from "../../errors.js";
import { exitCodeFor, ExitCodes } from "../exit-codes.js";
import { createLogger, type Logger } from "../logger.js";
import { maskStream } from "../../secrets/secret-values.js";
import type { ConnectorArgs } from "./connector-args.js";
import { HelpShown } from "./connector-options.js";

function writeStderr(text: string): Promise<void> {
  return new Promise((resolve) => process.stderr.write(text, () => resolve()));
}

/** Exit code for a stop asked by a signal: 128 + its number, as shells report it. */

/**
 * The process-level flow every connector shares: parse the command line,
 * run the body, and turn any failure into one clear line on stderr (the
 * stack only with --debug) and the exit code for its kind. Exits explicitly
 * once output is flushed, so an open stdin or timer cannot keep it alive.
 */
export async function connectorMain(
  name: string,
  parseArgs: () => Promise<ConnectorArgs>,
  body: (args: ConnectorArgs, logger: Logger) => Promise<number | void>,
): Promise<never> {
  let args: ConnectorArgs | undefined;
  let exitCode: number = ExitCodes.OK;
  // The config's secrets, once loaded, never reach stderr: logs and errors alike.
  maskStream(process.stderr);
  try {
    args = await parseArgs();
    const logger = createLogger(name, args.logLevel);
    exitCode = (await body(args, logger)) ?? ExitCodes.OK;
  } catch (thrown) {
    if (thrown instanceof HelpShown) {
      exitCode = ExitCodes.OK;
    } else {
      const error = asAgoraError(thrown);
      const where = error.where.connector === undefined ? error.withLocation({ connector: name }) : error;
      await writeStderr(`${name} error: ${where.toUserLine()}\n`);
      if (args?.debug === true || process.env["AGORA_DEBUG"] === "1") {
        await writeStderr(`${(thrown instanceof Error ? thrown.stack : undefined) ?? String(thrown)}\n`);
        if (thrown instanceof Error && thrown.cause instanceof Error && thrown.cause.stack !== undefined) {
          await writeStderr(`caused by: ${thrown.cause.stack}\n`);
        }
      }
      exitCode = exitCodeFor(error);
    }
  }
  await writeStderr("");
  process.exit(exitCode);
}
