import { ProtocolError } from "../../errors.js";
import type { MessageWriter } from "../../framing/message-writer.js";
import { readMessageBatches, type ByteSource } from "../../framing/read-messages.js";
import { exactRecord } from "../../messages/parse.js";
import { stringifyJson } from "../../values/exact-json.js";
import { NumberPlaces } from "../../values/number-places.js";
import { recordText } from "../../messages/record-text.js";
import type { AgoraError } from "../../errors.js";
import type { ActivateVersionMessage, BatchMessage, MessageLine, RecordMessage, SchemaMessage } from "../../messages/types.js";
import { RecordValidator, type StreamCheck } from "../../validation/record-validator.js";
import type { Logger } from "../logger.js";
import { readBatchFiles } from "./read-batch-files.js";
import { nativeBatchFiles } from "./native-batch-input.js";
import { missingKey } from "./key-properties.js";
import { RecordBatcher } from "./record-batcher.js";
import { deadLetterLine, recordTextOf, withExactRecord } from "./target-records.js";
import type { StreamInfo, TargetWriter } from "./types.js";
import { ProtocolCodes } from "../../messages/codes.js";

/** Past this many streams in a batch, it grows to batch_min_rows_per_stream records a stream (see batchFull). */
const MANY_STREAMS = 100;

export interface TargetSyncOptions {
  readonly batchSizeRows: number;
  /** A batch of many streams grows until it holds this many records per stream (see batch_min_rows_per_stream). */
  readonly batchMinRowsPerStream?: number;
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

export interface TargetSyncSummary {
  /** Records received (written or rejected). */
  readonly records: number;
  readonly statesConfirmed: number;
  readonly rejected: number;
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
  const sync = new TargetSync(writer, output, logger, options);
  const timer = setInterval(() => sync.flushIfWaited(), Math.max(10, Math.min(250, options.batchWaitMs / 4)));
  timer.unref();
  try {
    for await (const batch of readMessageBatches(input, { origin: { connector: options.connector } })) {
      sync.throwIfFailed();
      for (const item of batch) {
        // Awaited only when it must be (a full batch, a SCHEMA, a BATCH): a RECORD costs no promise.
        const wait = sync.handle(item);
        if (wait !== undefined) await wait;
      }
    }
    await sync.flush();
  } catch (error) {
    clearInterval(timer);
    await sync.abandon();
    throw error;
  }
  clearInterval(timer);
  await sync.close();
  return sync.summary();
}

/** A stream as of its latest SCHEMA, with what each of its records needs: found with one look-up per record (thousands of streams' maps miss the processor's caches). */
interface SyncedStream {
  readonly info: StreamInfo;
  /** Where its records may hold numbers: used for validated records (see NumberPlaces). */
  readonly places: NumberPlaces;
  /** Its schema's check, when records are validated. */
  readonly check: StreamCheck | undefined;
  /** Whether the writer was told of its first record (streamStarting). */
  started: boolean;
}

/**
 * One target sync: a method per message type. Records are validated and
 * batched (RecordBatcher); a batch is written while the next fills; a STATE
 * is echoed once every batch before it is durable.
 */
class TargetSync {
  private readonly streams = new Map<string, SyncedStream>();
  private readonly schemaTexts = new Map<string, string>();
  private readonly validator = new RecordValidator();
  private readonly ignoredTypes = new Set<string>();
  private readonly batcher: RecordBatcher;
  private readonly textOf: ReturnType<typeof recordTextOf>;
  /** An encoded record that may become a dead letter keeps its JSON too (RecordBatcher.keepsJson). */
  private readonly keepsJson: boolean;
  private records = 0;
  private statesConfirmed = 0;
  private rejected = 0;
  /** The batch being written, if any: the next one fills while it is, and waits for it only once full itself. */
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly writer: TargetWriter,
    private readonly output: MessageWriter,
    private readonly logger: Logger,
    private readonly options: TargetSyncOptions,
  ) {
    this.batcher = new RecordBatcher(
      writer,
      (value) => this.confirmState(value),
      options.deadLetters ? (rejections) => this.writeDeadLetters(rejections) : undefined,
    );
    this.textOf = recordTextOf(writer, options.connector);
    this.keepsJson = this.batcher.keepsJson;
  }

  summary(): TargetSyncSummary {
    return { records: this.records, statesConfirmed: this.statesConfirmed, rejected: this.rejected };
  }

  throwIfFailed(): void {
    this.batcher.throwIfFailed();
  }

  /** A batch waiting longer than batch_wait_limit_seconds is written now, so its STATE is confirmed promptly. */
  flushIfWaited(): void {
    if (this.batcher.age() >= this.options.batchWaitMs) void this.batcher.flush().catch(() => undefined);
  }

  handle(item: MessageLine): Promise<void> | undefined {
    if (!item.known) {
      if (!this.ignoredTypes.has(item.message.type))
        this.logger.warn(`ignoring messages of unknown type ${JSON.stringify(item.message.type)} (first at line ${item.line})`);
      this.ignoredTypes.add(item.message.type);
      return;
    }
    const message = item.message;
    switch (message.type) {
      case "RECORD":
        return this.record(this.streamOf(message.stream, item.line), message, item.line, item.raw);
      case "STATE":
        this.batcher.state(message.value);
        return;
      case "SCHEMA":
        return this.schema(message, item.line);
      case "ACTIVATE_VERSION":
        return this.activateVersion(message, item.line);
      case "DEAD_LETTER":
        // Meant for a runner; a target has nothing to write for it.
        this.logger.debug(`DEAD_LETTER for ${message.stream} at line ${item.line} ignored`);
        return;
      case "BATCH":
        return this.batch(message, item.line);
    }
  }

  /** The input ended: the last batch is written and its STATE confirmed. */
  async flush(): Promise<void> {
    await this.batcher.flush();
  }

  async close(): Promise<void> {
    await this.writer.close?.();
  }

  /** The sync failed: a batch handed to the writer before the failure (records before it) is still written and its STATE confirmed. */
  async abandon(): Promise<void> {
    await this.batcher.settled();
    try {
      await this.writer.close?.();
    } catch {
      // The error that stopped the run is the one to report.
    }
  }

  private async confirmState(value: unknown): Promise<void> {
    // The Singer convention: the bare state value, so `tail -1` of our output is a tap's --state.
    this.output.writeLine(`${stringifyJson(value)}\n`);
    await this.output.flush();
    this.statesConfirmed += 1;
  }

  private async writeDeadLetters(rejections: ReadonlyArray<{ stream: StreamInfo; record: RecordMessage; line: number; error: AgoraError }>): Promise<void> {
    for (const { stream, record, line, error } of rejections) this.output.writeLine(deadLetterLine(stream.name, record.record, line, error));
    this.rejected += rejections.length;
    await this.output.flush();
  }

  private streamOf(name: string, line: number): SyncedStream {
    const stream = this.streams.get(name);
    if (stream === undefined) {
      throw new ProtocolError(ProtocolCodes.RECORD_BEFORE_SCHEMA, `message for stream "${name}" arrived before any SCHEMA for it`, {
        where: { stream: name, line },
      });
    }
    return stream;
  }

  /**
   * Synchronous unless the batch is full: the hot path pays no promise per
   * record. `raw` is the record's input line, when it came as a RECORD
   * message (not from a BATCH file).
   */
  private record(synced: SyncedStream, parsed: RecordMessage, line: number, raw?: string): Promise<void> | undefined {
    const { info: stream, check } = synced;
    // Validation and a writer of objects or encodings see every number as the line wrote it; a writer of text cuts it from the line.
    const message =
      check !== undefined
        ? withExactRecord(parsed, raw, line, synced.places)
        : this.writer.recordsAs === "text"
          ? parsed
          : withExactRecord(parsed, raw, line, undefined);
    const invalid = (check === undefined ? undefined : this.validator.validateWith(check, message.record, line)) ?? missingKey(stream, message.record, line);
    if (invalid !== undefined) {
      if (!this.options.deadLetters) throw invalid;
      // The dead letter has every number as the line wrote it: the record was made exact for a valid one (NumberPlaces), or not at all.
      const record = message === parsed ? exactRecord(parsed, raw, line) : message.record;
      this.output.writeLine(deadLetterLine(stream.name, record, line, invalid, { stage: "validate", raw: recordText(raw, message) }));
      // Counted as received and rejected, so "wrote" (received less rejected) says what was written.
      this.records += 1;
      this.rejected += 1;
      return undefined;
    }
    if (!synced.started) {
      synced.started = true;
      this.writer.streamStarting?.(stream);
    }
    // Its JSON cut from its line where that is safe.
    this.batcher.add(stream, message, line, this.textOf?.(stream, message, line, raw), this.keepsJson ? recordText(raw, message) : undefined);
    this.records += 1;
    if (!this.batchFull()) return undefined;
    // At most two batches in memory: one written (durable before its STATE is confirmed), one filling.
    const previous = this.inFlight;
    this.inFlight = this.batcher.flush();
    return previous;
  }

  /**
   * A batch is written once it holds batch_size_rows records and, when it
   * spans more than MANY_STREAMS streams, batch_min_rows_per_stream per stream (each stream
   * costs a write and an fsync), but never more than 20 × batch_size_rows;
   * batch_wait_limit_seconds still writes it sooner on a slow input.
   */
  private batchFull(): boolean {
    const { size, streamCount } = this.batcher;
    const { batchSizeRows, batchMinRowsPerStream = 1 } = this.options;
    if (size < batchSizeRows) return false;
    return streamCount <= MANY_STREAMS || size >= streamCount * batchMinRowsPerStream || size >= batchSizeRows * 20;
  }

  private async schema(message: SchemaMessage, line: number): Promise<void> {
    const text = `${JSON.stringify(message.schema)}|${message.key_properties.join(",")}`;
    if (this.schemaTexts.get(message.stream) === text) return;
    if (this.batcher.hasPending(message.stream)) await this.batcher.flush();
    // Checked as a schema even with validate_records off: an unusable one is refused here (its parts cost next to nothing to compile).
    this.validator.setSchema(message.stream, message.schema, line);
    const stream: StreamInfo = { name: message.stream, schema: message.schema, keyProperties: message.key_properties };
    const check = this.options.validateRecords ? this.validator.checkOf(message.stream) : undefined;
    this.streams.set(message.stream, { info: stream, places: new NumberPlaces(message.schema), check, started: false });
    this.schemaTexts.set(message.stream, text);
    if (this.writer.prepareStream !== undefined) await this.batcher.enqueue(() => this.writer.prepareStream?.(stream));
  }

  private async activateVersion(message: ActivateVersionMessage, line: number): Promise<void> {
    const stream = this.streams.get(message.stream)?.info;
    await this.batcher.flush();
    if (stream !== undefined && this.writer.activateVersion !== undefined)
      await this.batcher.enqueue(() => this.writer.activateVersion?.(stream, message.version));
    else this.logger.debug(`ACTIVATE_VERSION for ${message.stream} at line ${line} ignored`);
  }

  /** A BATCH: handed to the writer as it is when it reads the format natively, else its records one by one. */
  private async batch(message: BatchMessage, line: number): Promise<void> {
    const stream = this.streamOf(message.stream, line);
    const native = nativeBatchFiles(this.writer, message, line, stream.info, this.options);
    if (native !== undefined) return this.writeNatively(native);
    for await (const batchRecords of readBatchFiles(message, line, this.options.batchRoots ?? [])) {
      for (const record of batchRecords) await this.record(stream, { type: "RECORD", stream: message.stream, record }, line);
    }
  }

  /**
   * A BATCH the writer takes as it is, handed over file by file after the
   * records before it; one file is written while the next is read (and
   * prepared), and the STATE after it waits for it like any batch.
   */
  private async writeNatively(files: AsyncIterable<() => Promise<number> | number>): Promise<void> {
    for await (const write of files) {
      void this.batcher.flush();
      const previous = this.inFlight;
      this.inFlight = this.batcher.enqueue(async () => {
        this.records += await write();
      });
      if (previous !== undefined) await previous;
    }
  }
}
