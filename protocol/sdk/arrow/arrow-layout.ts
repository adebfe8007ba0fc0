import { open } from "node:fs/promises";
import { JSON_COLUMN_KEY, type ReadKind } from "./arrow-columns.js";
import { kindOfField } from "./arrow-codec.js";
import { loadArrow, type ArrowModule } from "./lazy-modules.js";

/** What an Arrow IPC stream file holds, read from its message headers alone. */
export interface ArrowLayout {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly kind: ReadKind | undefined; readonly type: string }>;
  readonly rows: number;
  readonly batches: number;
}

/** Why a file is not a complete Arrow IPC stream. */
export class ArrowLayoutError extends Error {}

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
    while (position < size) {
      const { bytesRead } = await handle.read(prefix, 0, 8, position);
      if (bytesRead < 4) throw new ArrowLayoutError(`the file ends inside a message header at byte ${position}`);
      // The current format: 0xFFFFFFFF, then the metadata's length; the format before 0.15: the length alone.
      const continued = prefix.readUInt32LE(0) === CONTINUATION;
      if (continued && bytesRead < 8) throw new ArrowLayoutError(`the file ends inside a message header at byte ${position}`);
      const length = continued ? prefix.readInt32LE(4) : prefix.readInt32LE(0);
      const headerEnd = position + (continued ? 8 : 4);
      if (length === 0) break; // the end-of-stream marker
      if (length < 0 || headerEnd + length > size) throw new ArrowLayoutError(`the message at byte ${position} claims ${length} bytes of metadata, past the end of the file`);
      const metadata = Buffer.alloc(length);
      await handle.read(metadata, 0, length, headerEnd);
      let message;
      try {
        message = Message.decode(metadata);
      } catch (error) {
        throw new ArrowLayoutError(`the bytes at ${position} are not an Arrow message (${(error as Error).message})`);
      }
      const bodyEnd = headerEnd + length + message.bodyLength;
      if (bodyEnd > size) throw new ArrowLayoutError(`the record batch at byte ${position} ends past the end of the file (truncated)`);
      if (message.headerType === MessageHeader.Schema) {
        const schema = message.header() as InstanceType<ArrowModule["Schema"]>;
        columns = schema.fields.map((field) => ({ name: field.name, type: String(field.type), kind: kindOfField(field.type, field.metadata.get(JSON_COLUMN_KEY) === "1") }));
      } else if (message.headerType === MessageHeader.RecordBatch) {
        rows += Number((message.header() as { length: number | bigint }).length);
        batches += 1;
      }
      position = bodyEnd;
    }
    if (columns === undefined) throw new ArrowLayoutError("the file has no schema message");
    return { columns, rows, batches };
  } finally {
    await handle.close();
  }
}
