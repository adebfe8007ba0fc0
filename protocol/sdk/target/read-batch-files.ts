import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import type { Readable } from "node:stream";
import { AgoraError, FatalError, ProtocolError } from "../../errors.js";
import { LineSplitter } from "../../framing/line-splitter.js";
import { excerpt } from "../../messages/parse.js";
import { ProtocolCodes } from "../../messages/codes.js";
import type { BatchMessage } from "../../messages/types.js";

export const SUPPORTED_BATCH_FORMATS = ["jsonl"] as const;

function manifestPath(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

/**
 * Reads the records of a BATCH message's files (`jsonl`, optionally gzip),
 * yielding them a chunk at a time so a large file never sits in memory.
 */
export async function* readBatchFiles(message: BatchMessage, line: number): AsyncGenerator<Array<{ [key: string]: unknown }>> {
  const { format, compression } = message.encoding;
  if (format !== "jsonl") {
    throw new ProtocolError("BATCH_FORMAT_UNSUPPORTED", `BATCH format "${format}" is not supported (supported: ${SUPPORTED_BATCH_FORMATS.join(", ")})`, {
      where: { stream: message.stream, line },
      hint: "Configure the tap to send RECORD messages or jsonl batches.",
    });
  }
  for (const uri of message.manifest) {
    const path = manifestPath(uri);
    let records: Array<{ [key: string]: unknown }> = [];
    const splitter = new LineSplitter((text, fileLine) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new ProtocolError(ProtocolCodes.INVALID_JSON, `invalid JSON in batch file: ${excerpt(text)}`, { where: { file: path, line: fileLine }, cause: error });
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new ProtocolError(ProtocolCodes.NOT_AN_OBJECT, `batch file line is not a JSON object: ${excerpt(text)}`, { where: { file: path, line: fileLine } });
      }
      records.push(value as { [key: string]: unknown });
    });
    let input: Readable = createReadStream(path);
    if (compression === "gzip") input = input.pipe(createGunzip());
    try {
      for await (const chunk of input) {
        splitter.push(chunk as Buffer);
        if (records.length > 0) {
          yield records;
          records = [];
        }
      }
      splitter.end();
      if (records.length > 0) yield records;
    } catch (error) {
      if (error instanceof AgoraError) throw error.withLocation({ stream: message.stream });
      throw new FatalError("BATCH_FILE_UNREADABLE", `cannot read batch file: ${(error as Error).message}`, {
        where: { stream: message.stream, file: path, line },
        hint: "The tap must write batch files where the target can read them, and keep them until the target is done.",
        cause: error,
      });
    }
  }
}
