import { resolve } from "node:path";
import {
  AppendFile,
  checkDirectoryWritable,
  cutIncompleteTail,
  defineTarget,
  DestinationNames,
  DirectorySyncs,
  FatalError,
  fileError,
  MAX_OPEN_FILES_SETTING,
  OpenFiles,
  STREAMS_AT_ONCE,
  streamFilePath,
  stringifyJson,
  TextChunks,
  type StreamRecords,
  writeStreamsAtOnce,
} from "../../protocol/index.js";
import { TargetJsonlCodes } from "./codes.js";

interface JsonlConfig {
  [key: string]: unknown;
  destination_path: string;
  file_naming: string;
  max_open_files: number;
}

function fileFor(config: JsonlConfig, stream: string): string {
  return streamFilePath(config.destination_path, config.file_naming, stream);
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
      max_open_files: MAX_OPEN_FILES_SETTING,
    },
  },
  testConnection: ({ config }) => checkDirectoryWritable(resolve(config.destination_path)),
  open({ config, logger }) {
    const destinations = new DestinationNames("file");
    // New files' directory entries are made durable once per batch, before its STATE is confirmed.
    const directories = new DirectorySyncs();
    // At most max_open_files open at once; a file closed to make room is reopened to append, needing no repair.
    const files = new OpenFiles<AppendFile>(
      config.max_open_files,
      async (stream, reopen) => {
        const path = fileFor(config, stream);
        if (reopen) return AppendFile.reopen(path);
        destinations.claim(stream, path);
        const created = await AppendFile.create(path, directories);
        if (created !== undefined) return created;
        // A write that failed half-way (a full disk, a kill) left a broken last line: cut it before appending.
        const cut = await cutIncompleteTail(path).catch((error: unknown) => {
          throw fileError(error, path, "repair the file's incomplete last line");
        });
        if (cut > 0)
          logger.warn(`${path}: cut ${cut} bytes of an incomplete last line, left by a write that failed; its records were not confirmed and come again`);
        return AppendFile.open(path, directories);
      },
      async (file) => file.close(),
    );
    // One encoder for every stream's lines: its slabs are filled in turn (a slab of 16 KiB or more per stream and batch
    // was 64 MB of buffers for 2,000 streams, and the garbage collection they set off); what it hands out is never written over.
    const encoded = new TextChunks();
    return {
      // Each record's JSON as it came in (no JSON.stringify of it again).
      recordsAs: "text",
      // A stream's file is opened from its first record, while the batch fills.
      streamStarting: (stream) => files.prepare(stream.name),
      // Streams are written and fsynced at once (a stream's own records in order): durability costs what the data costs, not the stream count.
      writeBatch: async (batch: readonly StreamRecords[]) => {
        await writeStreamsAtOnce(batch, STREAMS_AT_ONCE, async (stream, entries) => {
          const path = fileFor(config, stream);
          for (const { records, texts } of entries) {
            if (texts === undefined) for (const message of records) encoded.addLine(stringifyJson(message.record));
            else for (const recordJson of texts) encoded.addLine(recordJson);
          }
          const lines = encoded.take();
          const file = await files.use(stream);
          try {
            file.handle.append(lines);
            await file.handle.sync();
          } catch (error) {
            throw fileError(error, path, "write records");
          } finally {
            file.release();
          }
        });
        await directories.syncAll();
      },
      async close() {
        const errors = await files.closeAll();
        if (errors.length > 0) throw new FatalError(TargetJsonlCodes.FILE_CLOSE_FAILED, "could not close an output file", { cause: errors[0] });
      },
    };
  },
});
