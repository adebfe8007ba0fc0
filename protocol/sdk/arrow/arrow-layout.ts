import { open } from "node:fs/promises";
import { JSON_COLUMN_KEY, type ReadKind } from "./arrow-columns.js";
import { kindOfField } from "./arrow-decode.js";
import { loadArrow, type ArrowModule } from "./lazy-modules.js";

/** What an Arrow IPC stream file holds, read from its message headers alone. */
export interface ArrowLayout {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ReadKind | undefined; readonly type: string }>;
  readonly rows: number;
  readonly batches: number;
}

/** Why a file is not a complete Arrow IPC stream. */
export class ArrowLayoutError extends Error {}

/** A field and its children, depth first: a record batch has one field node for each. */
function nodeCount(fields: ReadonlyArray<{ readonly type: { readonly children?: ReadonlyArray<unknown> } }>): number {
  let count = 0;
  for (const field of fields) count += 1 + nodeCount((field.type.children ?? []) as typeof fields);
  return count;
}

/**
 * Checks a record batch's (or dictionary batch's) header against its schema
 * and body: one field node per field, every buffer inside the body. A header
 * that fails these makes readers fail on the batch with an error of their
 * internals; here it is named. Values inside the buffers are not read.
 */
function checkBatchHeader(
  header: { readonly nodes: ReadonlyArray<unknown>; readonly buffers: ReadonlyArray<{ readonly offset: number; readonly length: number }> },
  expectedNodes: number | undefined,
  bodyLength: number,
  position: number,
): void {
  if (expectedNodes !== undefined && header.nodes.length !== expectedNodes) {
    throw new ArrowLayoutError(
      `the record batch at byte ${position} is damaged: it describes ${header.nodes.length} columns where the schema has ${expectedNodes}`,
    );
  }
  for (const buffer of header.buffers) {
    const offset = Number(buffer.offset);
    const length = Number(buffer.length);
    if (!(offset >= 0 && length >= 0 && offset + length <= bodyLength)) {
      throw new ArrowLayoutError(`the record batch at byte ${position} is damaged: it points at bytes ${offset}–${offset + length} of a body of ${bodyLength}`);
    }
  }
}

/** What a record batch's header says of its body. */
type BatchHeader = {
  readonly length: number | bigint;
  readonly nodes: ReadonlyArray<unknown>;
  readonly buffers: ReadonlyArray<{ readonly offset: number; readonly length: number }>;
};

/** The continuation marker before each message of the current IPC format. */
const CONTINUATION = 0xffffffff;

/**
 * Reads the layout of an Arrow IPC stream file (its schema, and the row
 * count of each record batch) from the message headers, skipping every
 * body: a few small reads per batch, whatever its size, and no buffer the
 * size of the data. Throws an ArrowLayoutError for a file that is not an
 * IPC stream, or whose last message is cut short (truncated).
 */
export async function readArrowLayout(path: string): Promise<ArrowLayout> {
  const { Message, MessageHeader } = await loadArrow();
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const prefix = Buffer.alloc(8);
    let position = 0;
    let columns: ArrowLayout["columns"] | undefined;
    let rows = 0;
    let batches = 0;
    let fieldNodes: number | undefined;
    while (position < size) {
      const { bytesRead } = await handle.read(prefix, 0, 8, position);
      if (bytesRead < 4) throw new ArrowLayoutError(`the file is cut short: it ends inside a message header at byte ${position}`);
      // The current format: 0xFFFFFFFF, then the metadata's length; the format before 0.15: the length alone.
      const continued = prefix.readUInt32LE(0) === CONTINUATION;
      if (continued && bytesRead < 8) throw new ArrowLayoutError(`the file is cut short: it ends inside a message header at byte ${position}`);
      const length = continued ? prefix.readInt32LE(4) : prefix.readInt32LE(0);
      const headerEnd = position + (continued ? 8 : 4);
      if (length === 0) break; // the end-of-stream marker
      if (length < 0 || headerEnd + length > size)
        throw new ArrowLayoutError(`the file is cut short, or not Arrow: the message at byte ${position} claims ${length} bytes of metadata, past its end`);
      const metadata = Buffer.alloc(length);
      await handle.read(metadata, 0, length, headerEnd);
      let message;
      try {
        message = Message.decode(metadata);
      } catch (error) {
        throw new ArrowLayoutError(`the bytes at ${position} are not an Arrow message: ${(error as Error).message}`);
      }
      const bodyEnd = headerEnd + length + message.bodyLength;
      if (bodyEnd > size) throw new ArrowLayoutError(`the file is cut short: the record batch at byte ${position} ends past its end`);
      if (message.headerType === MessageHeader.Schema) {
        const schema = message.header() as InstanceType<ArrowModule["Schema"]>;
        columns = schema.fields.map((field) => ({
          name: field.name,
          type: String(field.type),
          kind: kindOfField(field.type, field.metadata.get(JSON_COLUMN_KEY) === "1"),
        }));
        fieldNodes = nodeCount(schema.fields);
      } else if (message.headerType === MessageHeader.RecordBatch) {
        const header = message.header() as unknown as BatchHeader;
        checkBatchHeader(header, fieldNodes, Number(message.bodyLength), position);
        rows += Number(header.length);
        batches += 1;
      } else if (message.headerType === MessageHeader.DictionaryBatch) {
        // A dictionary's nodes are its value type's, not the schema's: only its buffers are checked.
        checkBatchHeader((message.header() as { data: BatchHeader }).data, undefined, Number(message.bodyLength), position);
      }
      position = bodyEnd;
    }
    if (columns === undefined) throw new ArrowLayoutError("the file has no schema message");
    return { columns, rows, batches };
  } finally {
    await handle.close();
  }
}
