import { Transform, type Readable, type Writable } from "node:stream";
import { asAgoraError, LineSplitter, type AgoraError } from "../../protocol/index.js";
import { ConnectorProcess, type Connector, type ConnectorExit, type ConnectorLaunch } from "../process/connector-process.js";
import type { SourceTranslator } from "./source-translator.js";

/**
 * An Airbyte source running `read`, presented to the run as a Singer tap:
 * its stdout goes through a SourceTranslator (one line at a time, bounded
 * by the pipeline's max_line_bytes), with the pipe's backpressure kept. A
 * line that breaks the protocol stops the source, and is its failure; a
 * TRACE ERROR it reported is its failure even when it then exits 0.
 */
export class AirbyteSource implements Connector {
  readonly name: string;
  readonly role = "tap" as const;
  readonly stdout: Readable;
  private readonly process: ConnectorProcess;
  private readonly translator: SourceTranslator;
  private broken = false;

  constructor(launch: Omit<ConnectorLaunch, "role">, translator: SourceTranslator, maxLineBytes: number, forwardStderr?: (line: string) => void) {
    this.name = launch.name;
    this.process = new ConnectorProcess({ ...launch, role: "tap" }, forwardStderr);
    this.translator = translator;
    const pending: string[] = [];
    const splitter = new LineSplitter(
      (text, line) => {
        if (this.broken) return;
        try {
          for (const out of translator.translate(text, line)) pending.push(out);
        } catch (error) {
          this.stop(asAgoraError(error));
        }
      },
      { maxLineBytes },
    );
    const take = (feed: () => void): string => {
      try {
        if (!this.broken) feed();
      } catch (error) {
        this.stop(asAgoraError(error));
      }
      return pending.splice(0).join("");
    };
    this.stdout = this.process.stdout.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          const out = take(() => splitter.push(chunk));
          done(null, out === "" ? undefined : out);
        },
        flush(done) {
          const out = take(() => splitter.end());
          done(null, out === "" ? undefined : out);
        },
      }),
    );
  }

  private stop(error: AgoraError): void {
    this.broken = true;
    this.process.stopFor(error);
  }

  get stdin(): Writable {
    return this.process.stdin;
  }

  get exited(): Promise<ConnectorExit> {
    return this.process.exited;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get hasExited(): boolean {
    return this.process.hasExited;
  }

  kill(signal?: NodeJS.Signals): void {
    this.process.kill(signal);
  }

  stopFor(error: AgoraError): void {
    this.stop(error);
  }

  endInput(): void {
    this.process.endInput();
  }

  describeFailure(exit: ConnectorExit, doing: string): AgoraError | undefined {
    if (this.broken) return this.process.describeFailure(exit, doing);
    return this.translator.error ?? this.process.describeFailure(exit, doing);
  }

  stderrSummary(): string | undefined {
    return this.process.stderrSummary();
  }

  releaseHeldErrors(): void {
    this.process.releaseHeldErrors();
  }
}
