import { projectRecord } from "../../../catalogs/index.js";
import { AgoraError, DataError, FatalError } from "../../errors.js";
import type { MessageWriter } from "../../framing/message-writer.js";
import { serializeMessage } from "../../messages/serialize.js";
import { stringifyJson } from "../../values/exact-json.js";
import type { DeadLetterMessage } from "../../messages/types.js";
import type { ConnectorConfig } from "../config.js";
import type { PlannedStream } from "./stream-plan.js";
import { isPast, type TapBookmarks } from "./tap-bookmarks.js";
import { rowSerializer, type RowSerializer } from "./row-serializer.js";
import { BatchFiles, type BatchConfig } from "./batch-output.js";
import { tmpdir } from "node:os";
import { type ArrowBatch, Bookmarked, RejectedRow, RowBatch, type StreamContext, type TapContext, type TapRecord, type TapStream } from "./types.js";
import { ProtocolCodes } from "../../messages/codes.js";

function deadLetter(stream: string, rejected: RejectedRow): DeadLetterMessage {
  const { error, details } = rejected;
  const location = {
    ...(error.where.file === undefined ? {} : { file: error.where.file }),
    ...(error.where.line === undefined ? {} : { line: error.where.line }),
  };
  return {
    type: "DEAD_LETTER",
    stream,
    stage: "source",
    ...(details.record === undefined ? {} : { record: details.record }),
    ...(details.raw === undefined ? {} : { raw: details.raw }),
    error: { code: error.code, message: error.message },
    ...(Object.keys(location).length === 0 ? {} : { location }),
  };
}

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
 * A record as JSON. JSON.stringify recurses, and runs out of stack past a
 * few thousand levels of nesting: such a record is a clear data error
 * naming the stream, the record and where the source was, not a RangeError.
 */
function serializeRecord(record: TapRecord, stream: string, number: number, bookmark: unknown): string {
  try {
    return stringifyJson(record);
  } catch (error) {
    throw tooDeep(error, stream, number, bookmark);
  }
}

/** The error to throw when writing record `number` as JSON failed: a RangeError (the stack) is a record nested too deeply. */
function tooDeep(error: unknown, stream: string, number: number, bookmark: unknown): unknown {
  if (!(error instanceof RangeError)) return error;
  const at = bookmark === undefined ? "" : ` (at ${JSON.stringify(bookmark)})`;
  return new DataError(ProtocolCodes.RECORD_TOO_DEEP, `record ${number} of the stream is nested too deeply to write as JSON${at}`, {
    where: { stream },
    hint: "JSON writers stop a few thousand levels deep: flatten that data at the source, or leave the record out.",
  });
}

/** A row's values as a record (no prototype: a column named __proto__ is data); the last of a column named twice wins, as in an object. */
function rowRecord(columns: readonly string[], row: ReadonlyArray<unknown>): TapRecord {
  const record = Object.create(null) as TapRecord;
  columns.forEach((name, index) => {
    record[name] = row[index];
  });
  return record;
}

/** A stream that yields RowBatches must name its columns. */
function columnsOf(stream: Pick<TapStream, "name" | "columns">): readonly string[] {
  if (stream.columns !== undefined) return stream.columns;
  throw new FatalError(ProtocolCodes.TAP_ROWS_WITHOUT_COLUMNS, `stream ${stream.name} yields a RowBatch but declares no columns`, {
    hint: "Set `columns` on the stream: the names of the values in each row, in order.",
  });
}

/**
 * A record's own JSON text is written as it is up to this length. Nesting
 * costs at least two characters a level, so such a text is nested under
 * 4,000 levels, which every JSON writer downstream handles; a longer one goes
 * through JSON.stringify, which reports a record too deep to write.
 */
const RAW_JSON_MAX_CHARS = 8000;

function timeExtractedSuffix(): string {
  return `,"time_extracted":"${new Date().toISOString()}"}\n`;
}

/**
 * Syncs one stream: its SCHEMA, then its records, with a STATE every N
 * records and at the end when the stream can resume. RECORD lines are built
 * from a prefix and a suffix computed once, so each record costs one
 * JSON.stringify.
 */
export async function syncStream<Config extends ConnectorConfig>(
  planned: PlannedStream<Config>,
  context: TapContext<Config>,
  options: StreamSyncOptions,
): Promise<StreamSyncResult> {
  const { stream, projection } = planned;
  const { output, bookmarks, signal } = options;
  const replicationKey = stream.replicationKey;
  // FULL_TABLE from the catalog: the stream is read whole, and its bookmark starts over.
  const previous = planned.fullTable ? undefined : bookmarks.get(stream.name);
  const previousKeyValue =
    replicationKey !== undefined && typeof previous === "object" && previous !== null
      ? (previous as Record<string, unknown>)["replication_key_value"]
      : undefined;
  const resumes = stream.resumable === true || replicationKey !== undefined;

  await output.write({
    type: "SCHEMA",
    stream: stream.name,
    schema: planned.schema,
    key_properties: stream.keyProperties ?? [],
    ...(replicationKey === undefined ? {} : { bookmark_properties: [replicationKey] }),
  });

  const streamContext: StreamContext<Config> = { ...context, bookmark: previous, replicationKeyValue: previousKeyValue, schema: planned.schema, signal };
  const prefix = `{"type":"RECORD","stream":${JSON.stringify(stream.name)},"record":`;
  let suffix = timeExtractedSuffix();
  let maxKeyValue = previousKeyValue;
  let sinceState = 0;
  let records = 0;

  const writeState = (): Promise<void> | undefined => output.writeLine(serializeMessage({ type: "STATE", value: bookmarks.toStateValue() }));
  const batches = options.batch === undefined ? undefined : new BatchFiles(stream.name, options.batch, planned.schema, tmpdir());
  /** Closes the batch file being written and announces it; the STATE after it (if any) is the caller's. */
  const announceBatch = async (): Promise<void> => {
    const message = await batches?.finish();
    if (message !== undefined) await output.write(message);
  };
  /** Arrow batches take records, not JSON text: no record is serialized for them. */
  const arrowBatches = batches?.takesRecords === true ? batches : undefined;
  /** One record's JSON: a RECORD line, or a line of a jsonl batch file. */
  const writeJson = (json: string): Promise<void> | undefined =>
    batches === undefined ? output.writeLine(`${prefix}${json}${suffix}`) : batches.addJson(json);
  const keyBookmark = (): Record<string, unknown> => ({ replication_key: replicationKey, replication_key_value: maxKeyValue });

  // The row of a RowBatch written last, whose bookmark is asked for only when it is needed.
  let pendingBatch: RowBatch | undefined;
  let pendingIndex = 0;
  const settleRowBookmark = (): void => {
    if (pendingBatch === undefined) return;
    const batch = pendingBatch;
    pendingBatch = undefined;
    if (batch.bookmarkAfter !== undefined) bookmarks.set(stream.name, batch.bookmarkAfter(pendingIndex));
  };

  /** After each record: the replication key's bookmark, and a STATE every N records. */
  const afterRecord = (keyValue: unknown, wait: Promise<void> | undefined): Promise<void> | undefined => {
    records += 1;
    if (replicationKey !== undefined) {
      if (isPast(keyValue, maxKeyValue)) maxKeyValue = keyValue;
      if (stream.sortedByReplicationKey === true) bookmarks.set(stream.name, keyBookmark());
    }
    if (batches !== undefined) {
      if (batches.pending < batches.rowsPerFile) return wait;
      // A full batch file: announced, then the STATE that covers it.
      settleRowBookmark();
      return (async () => {
        await wait;
        await announceBatch();
        if (resumes) await writeState();
      })();
    }
    sinceState += 1;
    if (resumes && sinceState >= options.stateEveryRecords) {
      sinceState = 0;
      settleRowBookmark();
      wait = writeState() ?? wait;
      suffix = timeExtractedSuffix();
    }
    return wait;
  };

  /** Writes one record (or rejected row); returns a promise to await when the output is full. */
  const emit = (item: TapRecord | Bookmarked | RejectedRow): Promise<void> | undefined => {
    settleRowBookmark();
    if (item instanceof RejectedRow) {
      const wait = item.skipped ? undefined : output.write(deadLetter(stream.name, item));
      if (item.details.bookmark !== undefined) bookmarks.set(stream.name, item.details.bookmark);
      return wait;
    }
    const record: TapRecord = item instanceof Bookmarked ? item.record : item;
    const bookmark = item instanceof Bookmarked ? item.bookmark : undefined;
    const wait =
      arrowBatches !== undefined
        ? arrowBatches.addRecord(projection === undefined ? record : projectRecord(record, projection))
        : writeJson(
            projection === undefined && item instanceof Bookmarked && item.json !== undefined && item.json.length <= RAW_JSON_MAX_CHARS
              ? item.json
              : serializeRecord(projection === undefined ? record : projectRecord(record, projection), stream.name, records + 1, bookmark),
          );
    if (item instanceof Bookmarked) bookmarks.set(stream.name, bookmark);
    return afterRecord(replicationKey === undefined ? undefined : record[replicationKey], wait);
  };

  let serializeRow: RowSerializer | undefined;
  /** A selection inside a column's nested value: rows must become records to be cut down, before going into Arrow columns. */
  const nestedProjection = projection !== undefined && Object.values(projection).some((rule) => rule !== true);
  const keyIndex = replicationKey === undefined ? -1 : (stream.columns?.indexOf(replicationKey) ?? -1);
  /** Writes row `index` of a batch; returns a promise to await when the output is full. */
  const emitRow = (batch: RowBatch, index: number): Promise<void> | undefined => {
    const row = batch.rows[index] as ReadonlyArray<unknown> | RejectedRow;
    if (row instanceof RejectedRow) return emit(row);
    let wait: Promise<void> | undefined;
    if (arrowBatches !== undefined && !nestedProjection) {
      // Straight into the batch's columns; the batch keeps only the columns of the announced (projected) schema.
      wait = arrowBatches.addRow(columnsOf(stream), row);
    } else if (arrowBatches !== undefined) {
      const record = rowRecord(columnsOf(stream), row);
      wait = arrowBatches.addRecord(projectRecord(record, projection));
    } else {
      serializeRow ??= rowSerializer(columnsOf(stream), projection);
      let json: string;
      try {
        json = serializeRow(row);
      } catch (error) {
        throw tooDeep(error, stream.name, records + 1, batch.bookmarkAfter?.(index));
      }
      wait = writeJson(json);
    }
    pendingBatch = batch;
    pendingIndex = index;
    return afterRecord(keyIndex === -1 ? undefined : row[keyIndex], wait);
  };

  /** Reads the stream's records (or RowBatches) and writes each; returns once done or asked to stop. */
  const readRecords = async (): Promise<void> => {
    for await (const item of stream.records(streamContext)) {
      if (item instanceof RowBatch) {
        for (let index = 0; index < item.rows.length; index += 1) {
          const wait = emitRow(item, index);
          if (wait !== undefined) await wait;
          if (signal.aborted) return;
        }
        settleRowBookmark();
      } else if (Array.isArray(item)) {
        for (const one of item as ReadonlyArray<TapRecord | Bookmarked | RejectedRow>) {
          const wait = emit(one);
          if (wait !== undefined) await wait;
          if (signal.aborted) return;
        }
      } else {
        const wait = emit(item as TapRecord | Bookmarked | RejectedRow);
        if (wait !== undefined) await wait;
        if (signal.aborted) return;
      }
    }
  };

  /** Writes a columnar stream's own Arrow batches, each to a file as it is (no record built), each followed by its STATE. */
  const readArrowBatches = async (native: AsyncIterable<ArrowBatch>, files: BatchFiles): Promise<void> => {
    for await (const batch of native) {
      if (batch.rows > 0) {
        await output.write(await files.writeArrow(batch.ipc));
        records += batch.rows;
        if (batch.bookmark !== undefined) bookmarks.set(stream.name, batch.bookmark);
        if (resumes) await writeState();
      }
      if (signal.aborted) return;
    }
  };

  let completed = false;
  try {
    const native =
      arrowBatches !== undefined && replicationKey === undefined
        ? await stream.arrowBatches?.(streamContext, { rowsPerFile: arrowBatches.rowsPerFile })
        : undefined;
    if (native !== undefined && arrowBatches !== undefined) await readArrowBatches(native, arrowBatches);
    else await readRecords();
    completed = !signal.aborted;
  } catch (error) {
    throw error instanceof AgoraError ? error.withLocation({ stream: stream.name }) : error;
  } finally {
    settleRowBookmark();
    // The records of the last batch file are announced before the STATE that covers them, also after a failure.
    if (batches !== undefined) {
      if (completed) await announceBatch();
      else await announceBatch().catch(() => undefined);
    }
    if (resumes) {
      // Unsorted replication keys are only safe to advance once the whole stream is read.
      if (completed && replicationKey !== undefined) bookmarks.set(stream.name, keyBookmark());
      // Also after a failure: the records already written are covered by this STATE.
      if (completed) {
        await writeState();
      } else {
        try {
          await writeState();
        } catch {
          // The output is gone too; the error that stopped the stream is the one to report.
        }
      }
    }
  }
  return { records, stopped: !completed };
}
