import { AgoraError, ProtocolError, type ErrorLocation } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";
import { parseMessageLine } from "../messages/parse.js";
import type { MessageLine } from "../messages/types.js";
import { LineSplitter, type LineSplitterOptions } from "./line-splitter.js";
import { ForwardedRecord, recordStreamAtHead, recordStreamAtHeadOfBytes } from "./record-head.js";

export interface MessageParserOptions extends LineSplitterOptions {
  /** Added to every error: who wrote the input (a connector name, a file). */
  readonly origin?: ErrorLocation;
  /** Reject a RECORD or BATCH whose stream has had no SCHEMA. Default true. */
  readonly requireSchemaBeforeRecord?: boolean;
  /** Which streams' RECORDs are forwarded unparsed (only their head is read): see MessageLine.forwarded. */
  readonly forward?: RecordForwarding | undefined;
}

/** Decides, per stream, whether a reader may forward its RECORD lines without parsing them. */
export interface RecordForwarding {
  forwards(stream: string): boolean;
}

/**
 * Bytes in, parsed messages out, synchronously: `push` a chunk, get the
 * complete messages it finished. Keeps the set of streams that have had a
 * SCHEMA so a RECORD before its SCHEMA is caught at the line it occurs.
 */
export class MessageParser {
  private readonly splitter: LineSplitter;
  private readonly origin: ErrorLocation;
  private readonly requireSchema: boolean;
  private readonly streamsWithSchema = new Set<string>();
  private readonly forward: RecordForwarding | undefined;
  private batch: MessageLine[] = [];
  private error: unknown;

  constructor(options: MessageParserOptions = {}) {
    this.origin = options.origin ?? {};
    this.requireSchema = options.requireSchemaBeforeRecord ?? true;
    this.forward = options.forward;
    const forward = this.forward;
    this.splitter = new LineSplitter(
      (text, line) => this.onLine(text, line),
      options,
      forward === undefined ? undefined : (bytes, start, end, line) => this.forwardBytes(forward, bytes, start, end, line),
    );
  }

  /**
   * The complete messages in this chunk. A bad line does not throw away the
   * good ones before it: they are returned, and the error is thrown by the
   * next call (or `throwIfFailed`), so a consumer can act on what came first.
   */
  push(chunk: Buffer): MessageLine[] {
    this.throwIfFailed();
    this.guard(() => this.splitter.push(chunk));
    return this.take();
  }

  end(): MessageLine[] {
    this.throwIfFailed();
    this.guard(() => this.splitter.end());
    return this.take();
  }

  /** Throws the error of a bad line seen by the last push, if any. */
  throwIfFailed(): void {
    if (this.error !== undefined) throw this.error;
  }

  /** Lines consumed so far, blank ones included. */
  get linesSeen(): number {
    return this.splitter.linesSeen;
  }

  private onLine(text: string, line: number): void {
    if (this.forward !== undefined) {
      const stream = recordStreamAtHead(text);
      // Only after the stream's SCHEMA: a RECORD before it is parsed, and refused below.
      if (stream !== undefined && this.streamsWithSchema.has(stream) && this.forward.forwards(stream)) {
        this.batch.push(new ForwardedLine(new ForwardedRecord(stream, text, line, this.origin)));
        return;
      }
    }
    const parsed = parseMessageLine(text, line);
    if (parsed.known) {
      const message = parsed.message;
      if (message.type === "SCHEMA") {
        this.streamsWithSchema.add(message.stream);
      } else if (this.requireSchema && (message.type === "RECORD" || message.type === "BATCH")) {
        if (!this.streamsWithSchema.has(message.stream)) {
          throw new ProtocolError(ProtocolCodes.RECORD_BEFORE_SCHEMA, `${message.type} for stream "${message.stream}" arrived before any SCHEMA for it`, {
            where: { stream: message.stream, line },
            hint: "A tap must write a stream's SCHEMA message before its first RECORD.",
          });
        }
      }
    }
    this.batch.push(parsed);
  }

  /**
   * A RECORD line of a forwarded stream, taken as its bytes: read from its
   * head, never decoded, and sent on as the tap wrote it. False for any
   * other line (and a head written otherwise), which is decoded and read.
   */
  private forwardBytes(forward: RecordForwarding, bytes: Buffer, start: number, end: number, line: number): boolean {
    const stream = recordStreamAtHeadOfBytes(bytes, start, end);
    if (stream === undefined || !this.streamsWithSchema.has(stream) || !forward.forwards(stream)) return false;
    this.batch.push(new ForwardedLine(new ForwardedRecord(stream, bytes.subarray(start, end), line, this.origin)));
    return true;
  }

  private take(): MessageLine[] {
    const batch = this.batch;
    this.batch = [];
    return batch;
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.error = error instanceof AgoraError ? error.withLocation(this.origin) : error;
    }
  }
}

/** The reader's line for a forwarded RECORD: its text is made only if something reads `raw`. */
class ForwardedLine {
  readonly known = true;
  readonly forwarded = true;

  constructor(readonly message: ForwardedRecord) {}

  get line(): number {
    return this.message.line;
  }

  get raw(): string {
    return this.message.raw;
  }
}
