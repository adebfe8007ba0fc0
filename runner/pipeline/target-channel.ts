import { DEFAULT_MAX_LINE_BYTES, FatalError, LineSplitter, TextChunks, type DeadLetterMessage, type Logger } from "../../protocol/index.js";
import { ConnectorProcess, type ConnectorLaunch } from "../process/connector-process.js";
import { readTargetLine } from "./target-output.js";

export interface TargetCallbacks {
  /** True if `value` is a STATE value the runner sent: a line equal to it is a bare echo. */
  isSentState(value: unknown): boolean;
  /** The target echoed a STATE: everything before it is durable there. False if it matches nothing sent. */
  onState(target: number, value: unknown): boolean;
  /** The target rejected one record (the DEAD_LETTER extension). */
  onDeadLetter(target: number, message: DeadLetterMessage): void;
}

/**
 * One target of a run: its process, the messages waiting to be written to
 * its stdin, and a reader of what it says on stdout: STATE confirmations
 * (the bare value, as Singer targets echo it, or a STATE message) and
 * DEAD_LETTERs; anything else is logged once and ignored.
 */
export class TargetChannel {
  readonly process: ConnectorProcess;
  /** Lines queued for the next flush, encoded in chunks (see TextChunks for why not one string). */
  private readonly queued = new TextChunks();

  constructor(
    readonly index: number,
    launch: ConnectorLaunch,
    callbacks: TargetCallbacks,
    logger: Logger,
  ) {
    this.process = new ConnectorProcess(launch);
    const warned = new Set<"other" | "unknown">();
    const warnOnce = (kind: "other" | "unknown", text: string): void => {
      if (!warned.has(kind)) logger.warn(text);
      warned.add(kind);
    };
    const splitter = new LineSplitter((text, line) => {
      const output = readTargetLine(text, line, (value) => callbacks.isSentState(value));
      if (output.kind === "state") {
        if (!callbacks.onState(index, output.value)) warnOnce("unknown", `${launch.name} confirmed a STATE the runner did not send it (line ${line}); ignored`);
      } else if (output.kind === "dead_letter") {
        callbacks.onDeadLetter(index, output.message);
      } else {
        warnOnce("other", `${launch.name} wrote something other than a STATE echo on stdout (line ${line}); ignored. Targets should log to stderr.`);
      }
    });
    // A line past the limit (64 MiB) is no STATE echo: the target is stopped, and that is its failure, not a crash of the runner.
    let broken = false;
    const take = (feed: () => void): void => {
      if (broken) return;
      try {
        feed();
      } catch (error) {
        broken = true;
        this.process.stopFor(
          new FatalError("TARGET_OUTPUT_INVALID", `wrote a line longer than the limit of ${DEFAULT_MAX_LINE_BYTES} bytes on its stdout`, {
            hint: "A target writes only STATE echoes and DEAD_LETTER messages on stdout, and logs to stderr.",
            cause: error,
          }),
        );
      }
    };
    this.process.stdout.on("data", (chunk: Buffer) => take(() => splitter.push(chunk)));
    this.process.stdout.on("end", () => take(() => splitter.end()));
  }

  get name(): string {
    return this.process.name;
  }

  /** Queues one line (with its newline) for the next flush. */
  queue(line: string): void {
    this.queued.add(line);
  }

  /**
   * Writes what is queued. Returns a promise when the target's pipe is full:
   * it settles on drain, or as soon as the target exits (the caller then
   * finds out how it ended).
   */
  flush(): Promise<void> | undefined {
    const parts = this.queued.take();
    if (parts.length === 0 || this.process.hasExited) return undefined;
    const stdin = this.process.stdin;
    if (stdin.destroyed || stdin.writableEnded) return undefined;
    let accepted = true;
    for (const part of parts) accepted = stdin.write(part);
    if (accepted) return undefined;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        stdin.off("drain", done);
        stdin.off("close", done);
        resolve();
      };
      stdin.on("drain", done);
      stdin.on("close", done);
      void this.process.exited.then(done);
    });
  }

  /** Flushes, then closes the target's stdin: no more messages. */
  async end(): Promise<void> {
    const wait = this.flush();
    if (wait !== undefined) await wait;
    this.process.endInput();
  }
}
