import { DEFAULT_MAX_LINE_BYTES, FatalError, LineSplitter, TextChunks, type AgoraError, type Logger } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { Connector, ConnectorExit } from "../process/connector-process.js";
import type { TargetReports } from "../ports.js";
import { readTargetLine } from "../connector/target-output.js";

/**
 * One target of a run: its process, the messages waiting to be written to
 * its stdin, and a reader of what it says on stdout: STATE confirmations
 * (the bare value, as Singer targets echo it, or a STATE message) and
 * DEAD_LETTERs, told to the run's TargetReports; anything else is logged
 * once and ignored.
 */
export class TargetChannel {
  readonly process: Connector;
  /** Lines queued for the next flush, encoded in chunks (see TextChunks for why not one string). */
  private readonly queued = new TextChunks();

  constructor(
    readonly index: number,
    process: Connector,
    reports: TargetReports,
    logger: Logger,
  ) {
    this.process = process;
    const launch = { name: process.name };
    const warned = new Set<"other" | "unknown">();
    const warnOnce = (kind: "other" | "unknown", text: string): void => {
      if (!warned.has(kind)) logger.warn(text);
      warned.add(kind);
    };
    const splitter = new LineSplitter((text, line) => {
      const output = readTargetLine(text, line, reports);
      if (output.kind === "state") {
        if (!reports.confirmed(index, output.value)) warnOnce("unknown", `${launch.name} confirmed a STATE the runner did not send it (line ${line}); ignored`);
      } else if (output.kind === "dead_letter") {
        reports.rejected(index, output.message);
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
          new FatalError(RunnerCodes.TARGET_OUTPUT_INVALID, `wrote a line longer than the limit of ${DEFAULT_MAX_LINE_BYTES} bytes on its stdout`, {
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

  /**
   * What an exit of the target means for the run: a failure (a non-zero
   * code, a signal), or, when the tap is still running, an exit before its
   * input ended; undefined for a target that finished.
   */
  exitProblem(exit: ConnectorExit, tapExited: boolean): AgoraError | undefined {
    const problem = this.process.describeFailure(exit, tapExited ? "while finishing its writes" : "while receiving data");
    if (problem !== undefined || tapExited) return problem;
    return new FatalError(RunnerCodes.TARGET_CLOSED_INPUT, "the target exited before the tap finished", {
      where: { connector: this.name },
      hint: "A target must read its input to the end; check its logs above.",
    });
  }

  /** Queues one line (with its newline) for the next flush. */
  queue(line: string): void {
    this.queued.add(line);
  }

  /** Queues one line's bytes (a newline is added) for the next flush: copied, so they may be a slice of a larger buffer. */
  queueLineBytes(bytes: Buffer): void {
    this.queued.addBytesLine(bytes);
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
