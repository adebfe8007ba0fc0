import type { FileHandle } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  appendBuffers,
  checkDirectoryWritable,
  cutIncompleteTail,
  defineTarget,
  DestinationNames,
  FatalError,
  fileError,
  openForAppend,
  stringifyJson,
  TextChunks,
  type StreamRecords,
} from "../../protocol/index.js";
import { TargetJsonlCodes } from "./codes.js";

interface JsonlConfig {
  [key: string]: unknown;
  destination_path: string;
  file_naming: string;
}

function fileFor(config: JsonlConfig, stream: string): string {
  return resolve(join(config.destination_path, config.file_naming.replaceAll("{stream}", stream.replace(/[^\w.-]/g, "_"))));
}

export const targetJsonl = defineTarget<JsonlConfig>({
  name: "target-jsonl",
  version: "0.1.0",
  description: "Appends each stream's records to a JSON Lines file. Every batch is fsynced before its STATE is confirmed.",
  settings: {
    type: "object",
    additionalProperties: false,
    properties: {
      destination_path: { type: "string", default: "output", description: "Directory the files are written to (created if missing)." },
      file_naming: { type: "string", default: "{stream}.jsonl", description: "File name pattern; {stream} is replaced by the stream name." },
    },
  },
  testConnection: ({ config }) => checkDirectoryWritable(resolve(config.destination_path)),
  open({ config, logger }) {
    const files = new Map<string, FileHandle>();
    const destinations = new DestinationNames("file");
    const fileOf = async (stream: string): Promise<FileHandle> => {
      let handle = files.get(stream);
      if (handle === undefined) {
        const path = fileFor(config, stream);
        destinations.claim(stream, path);
        // A write that failed half-way (a full disk, a kill) left a broken last line: cut it before appending.
        const cut = await cutIncompleteTail(path).catch((error: unknown) => {
          throw fileError(error, path, "repair the file's incomplete last line");
        });
        if (cut > 0)
          logger.warn(`${path}: cut ${cut} bytes of an incomplete last line, left by a write that failed; its records were not confirmed and come again`);
        handle = await openForAppend(path);
        files.set(stream, handle);
      }
      return handle;
    };
    return {
      // Each record's JSON as it came in (no JSON.stringify of it again).
      recordsAs: "text",
      async writeBatch(batch: readonly StreamRecords[]) {
        for (const { stream, records, texts } of batch) {
          const path = fileFor(config, stream.name);
          const handle = await fileOf(stream.name);
          const text = new TextChunks();
          if (texts === undefined) {
            for (const message of records) text.add(`${stringifyJson(message.record)}\n`);
          } else {
            for (const recordJson of texts) text.add(`${recordJson}\n`);
          }
          try {
            await appendBuffers(handle, text.take());
            await handle.sync();
          } catch (error) {
            throw fileError(error, path, "write records");
          }
        }
      },
      async close() {
        const errors: unknown[] = [];
        for (const handle of files.values()) await handle.close().catch((error: unknown) => errors.push(error));
        if (errors.length > 0) throw new FatalError(TargetJsonlCodes.FILE_CLOSE_FAILED, "could not close an output file", { cause: errors[0] });
      },
    };
  },
});
