import { LineSplitter, parseMessageLine, type MessageLine } from "../../protocol/index.js";
import { spawnCommand } from "../process/spawn-command.js";

/** What a sync wrote, parsed: messages in order (or the first line that was not a message). */
export interface SyncOutput {
  readonly messages: MessageLine[];
  readonly badLine: { line: number; error: string } | undefined;
  readonly exitCode: number | undefined;
  /** True when the runner of the check stopped the tap at max_records (its exit code then says nothing). */
  readonly stoppedAtLimit: boolean;
  readonly timedOut: boolean;
  readonly stderr: string;
  /** Why the tap could not start at all, if it did not. */
  readonly spawnError: string | undefined;
}

/**
 * Runs a tap's sync and parses its stdout as it comes, stopping the tap
 * (SIGTERM) after `maxRecords` records or `timeoutMs`, so a check works on
 * a large source too.
 */
export async function captureSync(command: string, args: readonly string[], cwd: string, maxRecords: number, timeoutMs: number): Promise<SyncOutput> {
  const child = spawnCommand(command, args, { cwd, stdin: "ignore" });
  const messages: MessageLine[] = [];
  let records = 0;
  let badLine: SyncOutput["badLine"];
  let stoppedAtLimit = false;
  let stderr = "";
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const splitter = new LineSplitter((text, line) => {
    if (badLine !== undefined || stoppedAtLimit) return;
    try {
      const parsed = parseMessageLine(text, line);
      if (parsed.known && parsed.message.type === "RECORD") {
        // The first record past the limit ends the capture, so a STATE right after the last kept record is kept.
        if (records >= maxRecords) {
          stoppedAtLimit = true;
          child.kill("SIGTERM");
          return;
        }
        records += 1;
      }
      messages.push(parsed);
    } catch (error) {
      badLine = { line, error: (error as Error).message };
    }
  });
  child.stdout.on("data", (chunk: Buffer) => splitter.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const result = await child.ended;
  clearTimeout(timer);
  splitter.end();
  return {
    messages,
    badLine,
    exitCode: result.exitCode,
    stoppedAtLimit,
    timedOut,
    stderr,
    spawnError: timedOut || stoppedAtLimit ? undefined : result.spawnError,
  };
}
