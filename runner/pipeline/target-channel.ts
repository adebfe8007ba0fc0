import { LineSplitter, parseMessageLine, type DeadLetterMessage, type Logger } from "../../protocol/index.js";
import { ConnectorProcess, type ConnectorLaunch } from "../process/connector-process.js";

export interface TargetCallbacks {
  /** The target echoed a STATE: everything before it is durable there. */
  onState(target: number, value: unknown): void;
  /** The target rejected one record (the DEAD_LETTER extension). */
  onDeadLetter(target: number, message: DeadLetterMessage): void;
}

/**
 * One target of a run: its process, the messages waiting to be written to
 * its stdin, and a reader of what it says on stdout (STATE confirmations and
 * DEAD_LETTERs; anything else is logged and ignored).
 */
export class TargetChannel {
  readonly process: ConnectorProcess;
  private parts: string[] = [];

  constructor(
    readonly index: number,
    launch: ConnectorLaunch,
    callbacks: TargetCallbacks,
    logger: Logger,
  ) {
    this.process = new ConnectorProcess(launch);
    let complained = false;
    const splitter = new LineSplitter((text, line) => {
      let parsed;
      try {
        parsed = parseMessageLine(text, line);
      } catch {
        if (!complained) logger.warn(`${launch.name} wrote something other than a message on stdout (line ${line}); ignored. Targets should log to stderr.`);
        complained = true;
        return;
      }
      if (!parsed.known) return;
      if (parsed.message.type === "STATE") callbacks.onState(index, parsed.message.value);
      else if (parsed.message.type === "DEAD_LETTER") callbacks.onDeadLetter(index, parsed.message);
    });
    this.process.stdout.on("data", (chunk: Buffer) => splitter.push(chunk));
    this.process.stdout.on("end", () => splitter.end());
  }

  get name(): string {
    return this.process.name;
  }

  /** Queues one line (with its newline) for the next flush. */
  queue(line: string): void {
    this.parts.push(line);
  }

  /**
   * Writes what is queued. Returns a promise when the target's pipe is full:
   * it settles on drain, or as soon as the target exits (the caller then
   * finds out how it ended).
   */
  flush(): Promise<void> | undefined {
    if (this.parts.length === 0 || this.process.hasExited) {
      this.parts = [];
      return undefined;
    }
    const text = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join("");
    this.parts = [];
    const stdin = this.process.stdin;
    if (stdin.destroyed || stdin.writableEnded) return undefined;
    if (stdin.write(text)) return undefined;
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
