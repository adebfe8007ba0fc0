import type { MessageLine } from "../messages/types.js";
import { MessageParser, type MessageParserOptions } from "./message-parser.js";

export type ByteSource = AsyncIterable<Buffer | string | Uint8Array>;

function toBuffer(chunk: Buffer | string | Uint8Array): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === "string") return Buffer.from(chunk, "utf8");
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Reads messages in batches, one batch per input chunk (possibly empty ones
 * are skipped). The fast path: the caller loops over each batch synchronously
 * and awaits only between chunks.
 */
export async function* readMessageBatches(input: ByteSource, options: MessageParserOptions = {}): AsyncGenerator<MessageLine[]> {
  const parser = new MessageParser(options);
  for await (const chunk of input) {
    const batch = parser.push(toBuffer(chunk));
    if (batch.length > 0) yield batch;
    parser.throwIfFailed();
  }
  const last = parser.end();
  if (last.length > 0) yield last;
  parser.throwIfFailed();
}

/** Reads messages one at a time. Convenient; `readMessageBatches` is faster. */
export async function* readMessages(input: ByteSource, options: MessageParserOptions = {}): AsyncGenerator<MessageLine> {
  for await (const batch of readMessageBatches(input, options)) yield* batch;
}
