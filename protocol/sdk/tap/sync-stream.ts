import { projectRecord } from "../../../catalogs/index.js";
import { AgoraError } from "../../errors.js";
import type { MessageWriter } from "../../framing/message-writer.js";
import { serializeMessage } from "../../messages/serialize.js";
import type { ConnectorConfig } from "../config.js";
import type { PlannedStream } from "./stream-plan.js";
import { isPast, type TapBookmarks } from "./tap-bookmarks.js";
import { rowSerializer, type RowSerializer } from "./row-serializer.js";
import type { BatchConfig } from "./batch-config.js";
import { BatchFileOutput, RecordLines, type StateWriter, type StreamOutput } from "./stream-output.js";
import { type ArrowBatch, Bookmarked, RejectedRow, RowBatch, type StreamContext, type TapContext, type TapRecord, type TapStream } from "./types.js";
import { columnsOf, deadLetter, rowRecord, serializeRecord, tooDeep } from "./tap-records.js";

export interface StreamSyncOptions {
  readonly output: MessageWriter;
  readonly bookmarks: TapBookmarks;
  /** Write a STATE after this many records of a resumable stream. */
  readonly stateEveryRecords: number;
  readonly signal: AbortSignal;
  /** Records go to batch files announced by BATCH messages, a STATE after each, instead of RECORD messages. */
  readonly batch?: BatchConfig | undefined;
}

/** Records written, and whether the stream was cut short by a stop request. */
export interface StreamSyncResult {
  readonly records: number;
  readonly stopped: boolean;
}

/**
 * A record's own JSON text is written as it is up to this length. Nesting
 * costs at least two characters a level, so such a text is nested under
 * 4,000 levels, which every JSON writer downstream handles; a longer one goes
 * through JSON.stringify, which reports a record too deep to write.
 */
const RAW_JSON_MAX_CHARS = 8000;

/**
 * Syncs one stream: its SCHEMA, then its records, with a STATE every N
 * records (or after each batch file) and at the end when the stream can
 * resume.
 */
export async function syncStream<Config extends ConnectorConfig>(
  planned: PlannedStream<Config>,
  context: TapContext<Config>,
  options: StreamSyncOptions,
): Promise<StreamSyncResult> {
  return new StreamSync(planned, options).run(context);
}

/** One stream's sync: where its records go (a StreamOutput), its bookmarks, and the STATEs after them. */
class StreamSync<Config extends ConnectorConfig> implements StateWriter {
  private readonly stream: TapStream<Config>;
  private readonly replicationKey: string | undefined;
  private readonly previous: unknown;
  private readonly resumes: boolean;
  private readonly out: StreamOutput;
  private maxKeyValue: unknown;
  private records = 0;
  /** The row of a RowBatch written last, whose bookmark is asked for only when it is needed. */
  private pendingBatch: RowBatch | undefined;
  private pendingIndex = 0;
  private serializeRow: RowSerializer | undefined;
  /** A selection inside a column's nested value: rows must become records to be cut down, before going into Arrow columns. */
  private readonly nestedProjection: boolean;
  private readonly keyIndex: number;

  constructor(
    private readonly planned: PlannedStream<Config>,
    private readonly options: StreamSyncOptions,
  ) {
    const { stream, projection } = planned;
    this.stream = stream;
    this.replicationKey = stream.replicationKey;
    // FULL_TABLE from the catalog: the stream is read whole, and its bookmark starts over.
    this.previous = planned.fullTable ? undefined : options.bookmarks.get(stream.name);
    this.maxKeyValue =
      this.replicationKey !== undefined && typeof this.previous === "object" && this.previous !== null
        ? (this.previous as Record<string, unknown>)["replication_key_value"]
        : undefined;
    this.resumes = stream.resumable === true || this.replicationKey !== undefined;
    this.out =
      options.batch === undefined
        ? new RecordLines(options.output, stream.name, options.stateEveryRecords, this.resumes, this)
        : new BatchFileOutput(options.output, stream.name, options.batch, planned.schema, this.resumes, this);
    this.nestedProjection = projection !== undefined && Object.values(projection).some((rule) => rule !== true);
    this.keyIndex = this.replicationKey === undefined ? -1 : (stream.columns?.indexOf(this.replicationKey) ?? -1);
  }

  async run(context: TapContext<Config>): Promise<StreamSyncResult> {
    const { stream, replicationKey } = this;
    const { output, signal } = this.options;
    await output.write({
      type: "SCHEMA",
      stream: stream.name,
      schema: this.planned.schema,
      key_properties: stream.keyProperties ?? [],
      ...(replicationKey === undefined ? {} : { bookmark_properties: [replicationKey] }),
    });
    const streamContext: StreamContext<Config> = {
      ...context,
      bookmark: this.previous,
      replicationKeyValue: this.maxKeyValue,
      schema: this.planned.schema,
      signal,
    };
    let completed = false;
    try {
      const native =
        this.out instanceof BatchFileOutput && this.out.takesRecords && replicationKey === undefined
          ? await stream.arrowBatches?.(streamContext, { rowsPerFile: this.out.files.rowsPerFile })
          : undefined;
      if (native !== undefined && this.out instanceof BatchFileOutput) await this.readArrowBatches(native, this.out);
      else await this.readRecords(streamContext);
      completed = !signal.aborted;
    } catch (error) {
      throw error instanceof AgoraError ? error.withLocation({ stream: stream.name }) : error;
    } finally {
      await this.end(completed);
    }
    return { records: this.records, stopped: !completed };
  }

  /** The stream is done (or failed): its last batch file announced, its bookmark and a STATE written when it resumes. */
  private async end(completed: boolean): Promise<void> {
    this.settleRowBookmark();
    await this.out.finish(completed);
    if (!this.resumes) return;
    // Unsorted replication keys are only safe to advance once the whole stream is read.
    if (completed && this.replicationKey !== undefined) this.options.bookmarks.set(this.stream.name, this.keyBookmark());
    // Also after a failure: the records already written are covered by this STATE.
    if (completed) {
      await this.writeState();
      return;
    }
    try {
      await this.writeState();
    } catch {
      // The output is gone too; the error that stopped the stream is the one to report.
    }
  }

  writeState(): Promise<void> | undefined {
    return this.options.output.writeLine(serializeMessage({ type: "STATE", value: this.options.bookmarks.toStateValue() }));
  }

  settleRowBookmark(): void {
    if (this.pendingBatch === undefined) return;
    const batch = this.pendingBatch;
    this.pendingBatch = undefined;
    if (batch.bookmarkAfter !== undefined) this.options.bookmarks.set(this.stream.name, batch.bookmarkAfter(this.pendingIndex));
  }

  private keyBookmark(): Record<string, unknown> {
    return { replication_key: this.replicationKey, replication_key_value: this.maxKeyValue };
  }

  /** After each record: the replication key's bookmark, and a STATE when one is due. */
  private afterRecord(keyValue: unknown, wait: Promise<void> | undefined): Promise<void> | undefined {
    this.records += 1;
    if (this.replicationKey !== undefined) {
      if (isPast(keyValue, this.maxKeyValue)) this.maxKeyValue = keyValue;
      if (this.stream.sortedByReplicationKey === true) this.options.bookmarks.set(this.stream.name, this.keyBookmark());
    }
    return this.out.afterRecord(wait);
  }

  /** Writes one record (or rejected row); returns a promise to await when the output is full. */
  private emit(item: TapRecord | Bookmarked | RejectedRow): Promise<void> | undefined {
    this.settleRowBookmark();
    const { stream } = this;
    const { projection } = this.planned;
    if (item instanceof RejectedRow) {
      const wait = item.skipped ? undefined : this.options.output.write(deadLetter(stream.name, item));
      if (item.details.bookmark !== undefined) this.options.bookmarks.set(stream.name, item.details.bookmark);
      return wait;
    }
    const record: TapRecord = item instanceof Bookmarked ? item.record : item;
    const bookmark = item instanceof Bookmarked ? item.bookmark : undefined;
    const wait = this.out.takesRecords
      ? this.out.addRecord(projection === undefined ? record : projectRecord(record, projection))
      : this.out.writeJson(
          projection === undefined && item instanceof Bookmarked && item.json !== undefined && item.json.length <= RAW_JSON_MAX_CHARS
            ? item.json
            : serializeRecord(projection === undefined ? record : projectRecord(record, projection), stream.name, this.records + 1, bookmark),
        );
    if (item instanceof Bookmarked) this.options.bookmarks.set(stream.name, bookmark);
    return this.afterRecord(this.replicationKey === undefined ? undefined : record[this.replicationKey], wait);
  }

  /** Writes row `index` of a batch; returns a promise to await when the output is full. */
  private emitRow(batch: RowBatch, index: number): Promise<void> | undefined {
    const row = batch.rows[index] as ReadonlyArray<unknown> | RejectedRow;
    if (row instanceof RejectedRow) return this.emit(row);
    let wait: Promise<void> | undefined;
    if (this.out.takesRecords && !this.nestedProjection) {
      // Straight into the batch's columns; the batch keeps only the columns of the announced (projected) schema.
      wait = this.out.addRow(columnsOf(this.stream), row);
    } else if (this.out.takesRecords) {
      wait = this.out.addRecord(projectRecord(rowRecord(columnsOf(this.stream), row), this.planned.projection));
    } else {
      this.serializeRow ??= rowSerializer(columnsOf(this.stream), this.planned.projection);
      let json: string;
      try {
        json = this.serializeRow(row);
      } catch (error) {
        throw tooDeep(error, this.stream.name, this.records + 1, batch.bookmarkAfter?.(index));
      }
      wait = this.out.writeJson(json);
    }
    this.pendingBatch = batch;
    this.pendingIndex = index;
    return this.afterRecord(this.keyIndex === -1 ? undefined : row[this.keyIndex], wait);
  }

  /** Reads the stream's records (or RowBatches) and writes each; returns once done or asked to stop. */
  private async readRecords(streamContext: StreamContext<Config>): Promise<void> {
    const { signal } = this.options;
    for await (const item of this.stream.records(streamContext)) {
      if (item instanceof RowBatch) {
        for (let index = 0; index < item.rows.length; index += 1) {
          const wait = this.emitRow(item, index);
          if (wait !== undefined) await wait;
          if (signal.aborted) return;
        }
        this.settleRowBookmark();
        continue;
      }
      if (!Array.isArray(item)) {
        const wait = this.emit(item as TapRecord | Bookmarked | RejectedRow);
        if (wait !== undefined) await wait;
        if (signal.aborted) return;
        continue;
      }
      for (const one of item as ReadonlyArray<TapRecord | Bookmarked | RejectedRow>) {
        const wait = this.emit(one);
        if (wait !== undefined) await wait;
        if (signal.aborted) return;
      }
    }
  }

  /** Writes a columnar stream's own Arrow batches, each to a file as it is (no record built), each followed by its STATE. */
  private async readArrowBatches(native: AsyncIterable<ArrowBatch>, out: BatchFileOutput): Promise<void> {
    for await (const batch of native) {
      if (batch.rows > 0) {
        await this.options.output.write(await out.files.writeArrow(batch.ipc));
        this.records += batch.rows;
        if (batch.bookmark !== undefined) this.options.bookmarks.set(this.stream.name, batch.bookmark);
        if (this.resumes) await this.writeState();
      }
      if (this.options.signal.aborted) return;
    }
  }
}
