/**
 * The batch protocol between the runner and a batch_process worker, over
 * the worker's stdin and stdout: each frame is one line of JSON (its
 * header), then exactly `bytes` bytes of payload.
 *
 *   runner → worker: {"id": 7, "stream": "orders", "format": "jsonl", "rows": 1000, "bytes": 5120}
 *                    then the records, one JSON object per line (format jsonl),
 *                    or the bytes of an Arrow IPC stream (format arrow)
 *   worker → runner: {"id": 7, "format": "jsonl", "bytes": 5100} then the result:
 *                    for jsonl, one line per record sent, in order (`null` drops it);
 *                    for arrow, an Arrow IPC stream with as many rows as were sent
 *                    or {"id": 7, "error": "what went wrong"} (no payload): the batch fails
 *
 * A worker may answer out of order (by id) and hold several requests at once.
 * Anything it writes to stderr is logged.
 */
export interface RequestHeader {
  readonly id: number;
  readonly stream: string;
  readonly format: "jsonl" | "arrow";
  readonly rows: number;
  readonly bytes: number;
}

export interface ResponseHeader {
  readonly id: number;
  readonly format?: "jsonl" | "arrow";
  readonly bytes?: number;
  readonly error?: string;
}

/** A whole frame: its header line and payload, ready to write. */
export function frame(header: object, payload: Uint8Array): Buffer[] {
  return [Buffer.from(`${JSON.stringify(header)}\n`), Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength)];
}

/** Why a worker's output is not frames of the batch protocol. */
export class FrameError extends Error {}

/**
 * Reads frames from a byte stream pushed in chunks: a header line, then its
 * payload of `bytes` bytes; `onFrame` gets each as it completes.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private header: ResponseHeader | undefined;

  constructor(private readonly onFrame: (header: ResponseHeader, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    for (;;) {
      if (this.header === undefined) {
        const end = this.buffered.indexOf(10);
        if (end === -1) return;
        const text = this.buffered.subarray(0, end).toString("utf8");
        this.buffered = this.buffered.subarray(end + 1);
        if (text.trim() === "") continue;
        let header: unknown;
        try {
          header = JSON.parse(text);
        } catch {
          throw new FrameError(`the worker wrote a line that is not a frame header (${text.length} bytes)`);
        }
        if (typeof header !== "object" || header === null || typeof (header as ResponseHeader).id !== "number")
          throw new FrameError("the worker wrote a frame header without a numeric id");
        this.header = header as ResponseHeader;
      }
      const size = this.header.error === undefined ? (this.header.bytes ?? 0) : 0;
      if (this.buffered.length < size) return;
      const payload = Buffer.from(this.buffered.subarray(0, size));
      this.buffered = this.buffered.subarray(size);
      const header = this.header;
      this.header = undefined;
      this.onFrame(header, payload);
    }
  }
}
