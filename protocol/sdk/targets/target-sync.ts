import { FatalError, ProtocolError } from "../../errors.js";
import type { MessageWriter } from "../../framing/message-writer.js";
import { readMessageBatches, type ByteSource } from "../../framing/read-messages.js";
import { flattened } from "../../framing/text-chunks.js";
import { exactRecord } from "../../messages/parse.js";
import { stringifyJson } from "../../values/exact-json.js";
import { NumberPlaces } from "../../values/number-places.js";
import { recordText } from "../../messages/record-text.js";
import { serializeMessage } from "../../messages/serialize.js";
import { AgoraError } from "../../errors.js";
import type { DeadLetterMessage, RecordMessage, SchemaMessage } from "../../messages/types.js";
import { RecordValidator } from "../../validation/record-validator.js";
import type { Logger } from "../logger.js";
import { readArrowBatchFiles, readBatchFiles, readParquetBatchFiles } from "./read-batch-files.js";
import { missingKey } from "./key-properties.js";
import { RecordBatcher } from "./record-batcher.js";
import type { StreamInfo, TargetWriter } from "./types.js";

export interface TargetSyncOptions {
  readonly batchSizeRows: number;
  readonly batchWaitMs: number;
  readonly validateRecords: boolean;
  /** Folders BATCH files may be read from. */
  readonly batchRoots?: readonly string[];
  readonly connector: string;
  /** Reject bad records as DEAD_LETTER messages instead of failing (a runner set AGORA_DEAD_LETTER=1). */
  readonly deadLetters: boolean;
  /** Batch formats handed to the writer as they are (see TargetDefinition.nativeBatchFormats). */
  readonly nativeBatchFormats?: readonly string[];
}

function deadLetterLine(stream: string, record: { [key: string]: unknown }, line: number, error: AgoraError): string {
  const message: DeadLetterMessage = {
    type: "DEAD_LETTER",
    stream,
    stage: "sink_write",
    record,
    error: { code: error.code, message: error.message },
    location: { line },
  };
  return serializeMessage(message);
}

/** The RECORD with its record exact (see exactRecord): the same message when nothing in its line needs it. */
function withExactRecord(message: RecordMessage, raw: string | undefined, line: number, places: NumberPlaces | undefined): RecordMessage {
  const record = exactRecord(message, raw, line, places);
  return record === message.record ? message : { ...message, record };
}

export interface TargetSyncSummary {
  /** Records received (written or rejected). */
  readonly records: number;
  readonly statesConfirmed: number;
  readonly rejected: number;
}

/**
 * What a batch holds of each record for `writer` instead of the object
 * (TargetWriter.recordsAs): its JSON text, or the writer's encoding of it,
 * flattened. Undefined when the writer takes objects.
 */
function recordTextOf(
  writer: TargetWriter,
  connector: string,
): ((stream: StreamInfo, message: RecordMessage, line: number, raw: string | undefined) => string) | undefined {
  if (writer.recordsAs === "text") return (_stream, message, _line, raw) => recordText(raw, message);
  if (writer.recordsAs !== "encoded") return undefined;
  const { encodeRecord } = writer;
  if (encodeRecord === undefined) {
    throw new FatalError("ENCODE_RECORD_MISSING", `${connector} takes records encoded (recordsAs: "encoded") but its writer has no encodeRecord`, {
      hint: "The connector's author must implement TargetWriter.encodeRecord, or take records as objects.",
    });
  }
  return (stream, message, line) => {
    try {
      return flattened(encodeRecord.call(writer, stream, message));
    } catch (error) {
      throw error instanceof AgoraError ? error.withLocation({ stream: stream.name, line }) : error;
    }
  };
}

/**
 * The target's main loop: messages in from `input`, records written in
 * batches through `writer`, each STATE's value echoed on `output` once durable.
 */
export async function runTargetSync(
  writer: TargetWriter,
  input: ByteSource,
  output: MessageWriter,
  logger: Logger,
  options: TargetSyncOptions,
): Promise<TargetSyncSummary> {
  const streams = new Map<string, StreamInfo>();
  /** Where each stream's records may hold numbers: only for validated records (see NumberPlaces). */
  const numberPlaces = new WeakMap<StreamInfo, NumberPlaces>();
  const schemaTexts = new Map<string, string>();
  const validator = new RecordValidator();
  const ignoredTypes = new Set<string>();
  let records = 0;
  let statesConfirmed = 0;

  let rejected = 0;
  const batcher = new RecordBatcher(
    writer,
    async (value) => {
      // The Singer convention: the bare state value, so `tail -1` of our output is a tap's --state.
      output.writeLine(`${stringifyJson(value)}\n`);
      await output.flush();
      statesConfirmed += 1;
    },
    options.deadLetters
      ? (rejections) => {
          for (const { stream, record, line, error } of rejections) output.writeLine(deadLetterLine(stream.name, record.record, line, error));
          rejected += rejections.length;
          return output.flush();
        }
      : undefined,
  );
  const timer = setInterval(
    () => {
      if (batcher.age() >= options.batchWaitMs) void batcher.flush().catch(() => undefined);
    },
    Math.max(10, Math.min(250, options.batchWaitMs / 4)),
  );
  timer.unref();

  /** The batch being written, if any: the next one fills while it is, and waits for it only once full itself. */
  let inFlight: Promise<void> | undefined;

  const textOf = recordTextOf(writer, options.connector);
  // An encoded record that may become a dead letter keeps its JSON too, cut from its line where that is safe.
  const { keepsJson } = batcher;

  /**
   * Synchronous unless the batch is full: the hot path pays no promise per
   * record. `raw` is the record's input line, when it came as a RECORD
   * message (not from a BATCH file).
   */
  const addRecord = (stream: StreamInfo, parsed: RecordMessage, line: number, raw?: string): Promise<void> | undefined => {
    // Validation and a writer of objects or encodings see every number as the line wrote it; a writer of text cuts it from the line.
    const { validateRecords } = options;
    const message = validateRecords
      ? withExactRecord(parsed, raw, line, numberPlaces.get(stream))
      : writer.recordsAs === "text"
        ? parsed
        : withExactRecord(parsed, raw, line, undefined);
    const invalid = (validateRecords ? validator.validate(stream.name, message.record, line) : undefined) ?? missingKey(stream, message.record, line);
    if (invalid !== undefined) {
      if (!options.deadLetters) throw invalid;
      // The dead letter has every number as the line wrote it: the record was made exact for a valid one (NumberPlaces), or not at all.
      output.writeLine(deadLetterLine(stream.name, message === parsed ? exactRecord(parsed, raw, line) : message.record, line, invalid));
      // Counted as received and rejected, so "wrote" (received less rejected) says what was written.
      records += 1;
      rejected += 1;
      return undefined;
    }
    batcher.add(stream, message, line, textOf?.(stream, message, line, raw), keepsJson ? recordText(raw, message) : undefined);
    records += 1;
    if (batcher.size < options.batchSizeRows) return undefined;
    // At most two batches in memory: one written (durable before its STATE is confirmed), one filling.
    const previous = inFlight;
    inFlight = batcher.flush();
    return previous;
  };

  /**
   * A BATCH the writer takes as it is, handed over file by file after the
   * records before it; one file is written while the next is read (and
   * prepared, see TargetWriter.prepareArrowBatch), and the STATE after it
   * waits for it like any batch. `start` runs as soon as a file is read and
   * returns the write, which runs in turn.
   */
  const writeNatively = async <File>(files: AsyncIterable<File>, start: (file: File) => () => Promise<number> | number): Promise<void> => {
    for await (const file of files) {
      void batcher.flush();
      const write = start(file);
      const previous = inFlight;
      inFlight = batcher.enqueue(async () => {
        records += await write();
      });
      if (previous !== undefined) await previous;
    }
  };

  /** Starts the writer's preparation of an Arrow batch now; its failure surfaces when the write awaits it. */
  const prepareArrow = (stream: StreamInfo, ipc: Uint8Array): Promise<Uint8Array | undefined> => {
    const { prepareArrowBatch } = writer;
    if (prepareArrowBatch === undefined) return Promise.resolve(undefined);
    const prepared = (async () => prepareArrowBatch.call(writer, stream, ipc))();
    // Awaited by the write; until then a failure must not count as unhandled.
    prepared.catch(() => undefined);
    return prepared;
  };

  const onSchema = async (message: SchemaMessage, line: number): Promise<void> => {
    const text = `${JSON.stringify(message.schema)}|${message.key_properties.join(",")}`;
    if (schemaTexts.get(message.stream) === text) return;
    if (batcher.hasPending(message.stream)) await batcher.flush();
    validator.setSchema(message.stream, message.schema, line);
    const stream: StreamInfo = { name: message.stream, schema: message.schema, keyProperties: message.key_properties };
    streams.set(message.stream, stream);
    numberPlaces.set(stream, new NumberPlaces(message.schema));
    schemaTexts.set(message.stream, text);
    if (writer.prepareStream !== undefined) await batcher.enqueue(() => writer.prepareStream?.(stream));
  };

  const streamOf = (name: string, line: number): StreamInfo => {
    const stream = streams.get(name);
    if (stream === undefined) {
      throw new ProtocolError("RECORD_BEFORE_SCHEMA", `message for stream "${name}" arrived before any SCHEMA for it`, { where: { stream: name, line } });
    }
    return stream;
  };

  try {
    for await (const batch of readMessageBatches(input, { origin: { connector: options.connector } })) {
      batcher.throwIfFailed();
      for (const item of batch) {
        if (!item.known) {
          if (!ignoredTypes.has(item.message.type))
            logger.warn(`ignoring messages of unknown type ${JSON.stringify(item.message.type)} (first at line ${item.line})`);
          ignoredTypes.add(item.message.type);
          continue;
        }
        const message = item.message;
        switch (message.type) {
          case "RECORD": {
            const full = addRecord(streamOf(message.stream, item.line), message, item.line, item.raw);
            if (full !== undefined) await full;
            break;
          }
          case "STATE":
            batcher.state(message.value);
            break;
          case "SCHEMA":
            await onSchema(message, item.line);
            break;
          case "ACTIVATE_VERSION": {
            const stream = streams.get(message.stream);
            await batcher.flush();
            if (stream !== undefined && writer.activateVersion !== undefined) {
              await batcher.enqueue(() => writer.activateVersion?.(stream, message.version));
            } else {
              logger.debug(`ACTIVATE_VERSION for ${message.stream} at line ${item.line} ignored`);
            }
            break;
          }
          case "DEAD_LETTER":
            // Meant for a runner; a target has nothing to write for it.
            logger.debug(`DEAD_LETTER for ${message.stream} at line ${item.line} ignored`);
            break;
          case "BATCH": {
            const stream = streamOf(message.stream, item.line);
            const native = options.nativeBatchFormats?.includes(message.encoding.format) === true;
            const { writeArrowBatch, writeParquetBatch } = writer;
            if (native && message.encoding.format === "arrow" && writeArrowBatch !== undefined) {
              await writeNatively(readArrowBatchFiles(message, item.line, options.batchRoots ?? [], stream.schema), (file) => {
                const prepared = prepareArrow(stream, file.ipc);
                return async () => writeArrowBatch.call(writer, stream, file.ipc, file.path, await prepared);
              });
              break;
            }
            if (native && message.encoding.format === "parquet" && writeParquetBatch !== undefined) {
              await writeNatively(
                readParquetBatchFiles(message, item.line, options.batchRoots ?? [], stream.schema),
                (file) => () => writeParquetBatch.call(writer, stream, file.path, file.columns),
              );
              break;
            }
            for await (const batchRecords of readBatchFiles(message, item.line, options.batchRoots ?? [])) {
              for (const record of batchRecords) await addRecord(stream, { type: "RECORD", stream: stream.name, record }, item.line);
            }
            break;
          }
        }
      }
    }
    await batcher.flush();
  } catch (error) {
    clearInterval(timer);
    // A batch handed to the writer before the failure (records before it) is still written and its STATE confirmed.
    await batcher.settled();
    try {
      await writer.close?.();
    } catch {
      // The error that stopped the run is the one to report.
    }
    throw error;
  }
  clearInterval(timer);
  await writer.close?.();
  return { records, statesConfirmed, rejected };
}
