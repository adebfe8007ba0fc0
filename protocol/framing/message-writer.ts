import type { Writable } from "node:stream";
import { type AgoraError, ProtocolError } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";
import { serializeMessage } from "../messages/serialize.js";
import type { Message, UnknownMessage } from "../messages/types.js";

export interface MessageWriterOptions {
  /**
   * Lines are gathered into writes of about this many characters. Default
   * 32 Ki: a string of more than 128 KiB (64 Ki characters outside Latin-1)
   * is allocated in V8's large-object space, and encoding such strings made
   * tap-csv 40% slower (bench/RESULTS.md).
   */
  readonly bufferSize?: number;
}

/**
 * Writes messages as JSON lines to a stream, respecting backpressure.
 *
 * Lines written in the same tick are gathered into one `stream.write` (one
 * syscall instead of thousands); whatever is left is flushed on the next
 * turn of the event loop. When the stream reports it is full, `write`
 * returns a promise that settles on `drain`: the caller awaits it, so a slow
 * reader slows the writer and memory stays flat. Otherwise `write` returns
 * undefined and costs no promise.
 */
export class MessageWriter {
  private readonly bufferSize: number;
  private buffer = "";
  private flushScheduled = false;
  private drainWait: Promise<void> | undefined;
  private failure: AgoraError | undefined;

  constructor(
    private readonly stream: Writable,
    options: MessageWriterOptions = {},
  ) {
    this.bufferSize = options.bufferSize ?? 32 * 1024;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      this.failure ??= new ProtocolError(
        ProtocolCodes.OUTPUT_CLOSED,
        error.code === "EPIPE" ? "the reader closed the pipe before all messages were written" : `cannot write output: ${error.message}`,
        { hint: "Check the process reading this output; it stopped early or crashed.", cause: error },
      );
    });
  }

  /** Writes one message. Await the result when it is a promise. */
  write(message: Message | UnknownMessage): Promise<void> | undefined {
    return this.writeLine(serializeMessage(message));
  }

  /** Writes one already-serialised line, which must end with "\n". */
  writeLine(line: string): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    this.buffer += line;
    if (this.buffer.length >= this.bufferSize) return this.flush();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.failure === undefined) void this.flush()?.catch(() => undefined);
      });
    }
    return this.drainWait;
  }

  /** Hands everything buffered to the stream now. */
  flush(): Promise<void> | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (this.buffer !== "") {
      const chunk = this.buffer;
      this.buffer = "";
      const accepted = this.stream.write(chunk);
      if (!accepted && this.drainWait === undefined) this.drainWait = this.waitForDrain();
    }
    return this.drainWait;
  }

  /** Flushes and resolves once the stream has handed every byte to the OS. */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.write("", (error) => (error ? reject(this.failure ?? error) : resolve()));
    });
    if (this.failure !== undefined) throw this.failure;
  }

  private waitForDrain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = (error?: unknown): void => {
        this.stream.off("drain", onDrain);
        this.stream.off("error", onError);
        this.stream.off("close", onClose);
        this.drainWait = undefined;
        if (error === undefined) resolve();
        else reject(this.failure ?? error);
      };
      const onDrain = (): void => done();
      const onError = (error: Error): void => done(error);
      const onClose = (): void => done(new Error("stream closed"));
      this.stream.on("drain", onDrain);
      this.stream.on("error", onError);
      this.stream.on("close", onClose);
    });
  }
}
