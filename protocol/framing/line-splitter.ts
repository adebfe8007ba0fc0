import { ProtocolError } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** 64 MiB: far above any sane record, low enough that one bad stream cannot exhaust memory. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export type LineHandler = (text: string, lineNumber: number) => void;

/** A look at a line's bytes (`bytes[start, end)`) before they are decoded: true when it took the line, which is then neither decoded nor handed on. */
export type LineBytesTaker = (bytes: Buffer, start: number, end: number, lineNumber: number) => boolean;

export interface LineSplitterOptions {
  /** Longest line accepted, in bytes, without its newline. */
  readonly maxLineBytes?: number;
  /** The setting that raises the limit, for the error's hint (e.g. "max_line_bytes in pipelines.toml"). */
  readonly limitSetting?: string;
  /** Blank lines are counted but not handed on. Default true. */
  readonly skipBlankLines?: boolean;
  /**
   * A longer line is cut to the limit (the rest dropped as it comes, never
   * buffered) and handed on with a note, instead of failing: for text meant
   * for people (stderr). Default false.
   */
  readonly cutLongLines?: boolean;
}

/**
 * Splits a byte stream into lines, with 1-based line numbers.
 *
 * Splits on bytes, not characters: 0x0A never occurs inside a multi-byte
 * UTF-8 sequence, so a chunk boundary inside a character is harmless and each
 * complete line is decoded once. Accepts `\r\n`, skips blank lines, and hands
 * on a final line that has no `\n` when `end()` is called. Synchronous and
 * callback-based so a hot loop pays no promise per line.
 */
export class LineSplitter {
  private readonly maxLineBytes: number;
  private readonly limitSetting: string | undefined;
  private readonly skipBlankLines: boolean;
  private readonly cutLongLines: boolean;
  /** Bytes of the current line dropped past the limit (cutLongLines). */
  private droppedBytes = 0;
  /** Bytes of the line being assembled across chunks. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private lineNumber = 0;

  constructor(
    private readonly onLine: LineHandler,
    options: LineSplitterOptions = {},
    private readonly takeBytes?: LineBytesTaker,
  ) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.limitSetting = options.limitSetting;
    this.skipBlankLines = options.skipBlankLines ?? true;
    this.cutLongLines = options.cutLongLines ?? false;
  }

  /** The number of the last line completed so far. */
  get linesSeen(): number {
    return this.lineNumber;
  }

  push(chunk: Buffer): void {
    if (this.cutLongLines) {
      this.pushCutting(chunk);
      return;
    }
    let start = 0;
    let newline = chunk.indexOf(NEWLINE, start);
    if (this.pendingBytes > 0 && newline !== -1) {
      this.pending.push(chunk.subarray(0, newline));
      this.pendingBytes += newline;
      this.checkLength(this.pendingBytes);
      const joined = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.emit(joined, 0, joined.length);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      this.checkLength(newline - start);
      this.emit(chunk, start, newline);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
      this.checkLength(this.pendingBytes);
    }
  }

  /** push() for cutLongLines: each line keeps at most maxLineBytes; memory stays bounded whatever comes. */
  private pushCutting(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      const take = Math.min(end - start, this.maxLineBytes - this.pendingBytes);
      if (take > 0) {
        // Copied: a slice would keep the whole chunk alive.
        this.pending.push(Buffer.from(chunk.subarray(start, start + take)));
        this.pendingBytes += take;
      }
      this.droppedBytes += end - start - take;
      if (newline === -1) return;
      this.finishCutLine();
      start = newline + 1;
    }
  }

  private finishCutLine(): void {
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    const dropped = this.droppedBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.droppedBytes = 0;
    if (dropped === 0) {
      this.emit(joined, 0, joined.length);
      return;
    }
    this.lineNumber += 1;
    this.onLine(`${joined.toString("utf8")} … (${dropped} more bytes of this line dropped)`, this.lineNumber);
  }

  /** Hands on the final line if the input did not end with a newline. */
  end(): void {
    if (this.cutLongLines && (this.pendingBytes > 0 || this.droppedBytes > 0)) {
      this.finishCutLine();
      return;
    }
    if (this.pendingBytes === 0) return;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.emit(joined, 0, joined.length);
  }

  private emit(bytes: Buffer, start: number, end: number): void {
    this.lineNumber += 1;
    if (end > start && bytes[end - 1] === CARRIAGE_RETURN) end -= 1;
    if (end === start) {
      if (!this.skipBlankLines) this.onLine("", this.lineNumber);
      return;
    }
    if (this.skipBlankLines && isBlank(bytes, start, end)) return;
    if (this.takeBytes?.(bytes, start, end, this.lineNumber) === true) return;
    this.onLine(bytes.toString("utf8", start, end), this.lineNumber);
  }

  private checkLength(bytes: number): void {
    if (bytes <= this.maxLineBytes) return;
    throw new ProtocolError(ProtocolCodes.LINE_TOO_LONG, `line is longer than the limit of ${this.maxLineBytes} bytes`, {
      where: { line: this.lineNumber + 1 },
      hint: `${this.limitSetting === undefined ? "Raise the maximum line size" : `Raise ${this.limitSetting}`} if such large records are expected, or check that the input is newline-delimited JSON.`,
    });
  }
}

function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const byte = bytes[index];
    if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}
