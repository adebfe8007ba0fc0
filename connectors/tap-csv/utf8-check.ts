import { isUtf8 } from "node:buffer";
import { Transform, type TransformCallback } from "node:stream";

/** The length of the UTF-8 sequence a lead byte starts (0 for a byte that cannot start one). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The allowed range of the second byte after a lead byte (the first continuation is narrower for some leads). */
function secondByteRange(lead: number): readonly [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f];
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/**
 * Passes a file's bytes through unchanged and notes the lines (1-based,
 * counted by newline bytes, as csv-parse counts them) that hold bytes that
 * are not UTF-8, which decoding would silently turn into U+FFFD. A chunk
 * that is valid UTF-8 (the usual case) costs one native check and a count
 * of its newlines.
 */
export class Utf8LineCheck extends Transform {
  readonly badLines = new Set<number>();
  private line = 1;
  private carry: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.inspect(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.finish();
    callback();
  }

  /** Checks the next bytes of the file (without passing them on): for callers that read the file themselves. */
  inspect(chunk: Buffer): void {
    const bytes = this.carry.length === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const end = this.completeEnd(bytes);
    this.carry = Buffer.from(bytes.subarray(end));
    this.check(bytes.subarray(0, end));
  }

  /** Checks what is left at the end of the file (a sequence cut short). */
  finish(): void {
    if (this.carry.length > 0) this.check(this.carry, true);
    this.carry = Buffer.alloc(0);
  }

  /** Where the last complete sequence ends: a sequence cut by the chunk's end waits for the next chunk. */
  private completeEnd(bytes: Buffer): number {
    for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
      const byte = bytes[bytes.length - back] as number;
      if (byte < 0x80) return bytes.length;
      if (byte >= 0xc0) return sequenceLength(byte) > back ? bytes.length - back : bytes.length;
    }
    return bytes.length;
  }

  private check(bytes: Buffer, final = false): void {
    if (!final && isUtf8(bytes)) {
      for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) this.line += 1;
      return;
    }
    let index = 0;
    while (index < bytes.length) {
      const lead = bytes[index] as number;
      if (lead === 0x0a) this.line += 1;
      const length = sequenceLength(lead);
      let valid = length > 0 && index + length <= bytes.length;
      if (valid && length > 1) {
        const [low, high] = secondByteRange(lead);
        const second = bytes[index + 1] as number;
        valid = second >= low && second <= high;
        for (let next = 2; valid && next < length; next += 1) {
          const byte = bytes[index + next] as number;
          valid = byte >= 0x80 && byte <= 0xbf;
        }
      }
      if (!valid) {
        this.badLines.add(this.line);
        index += 1;
      } else index += length;
    }
  }
}
