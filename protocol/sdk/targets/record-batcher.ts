import type { AgoraError } from "../../errors.js";
import type { RecordMessage } from "../../messages/types.js";
import { parseRecordJson, stringifyJson } from "../../values/exact-json.js";
import type { StreamInfo, StreamRecords, TargetWriter } from "./types.js";

/** One record a writer rejected in a batch. */
export interface Rejection {
  readonly stream: StreamInfo;
  readonly record: RecordMessage;
  readonly line: number;
  readonly error: AgoraError;
}

/** A stream's records waiting in a batch; with `jsons`, each encoded record's JSON text too (kept for dead letters). */
interface PendingRecords {
  readonly stream: StreamInfo;
  readonly records: RecordMessage[];
  readonly lines: number[];
  readonly texts?: string[];
  readonly jsons?: string[];
}

/** The record at `index` of a batch's stream, read back from its JSON text when the batch holds text. */
function recordAt(entry: PendingRecords, index: number): RecordMessage {
  const text = (entry.jsons ?? entry.texts)?.[index];
  if (text === undefined) return entry.records[index] as RecordMessage;
  return { type: "RECORD", stream: entry.stream.name, record: parseRecordJson(text) };
}

/** No STATE pending. */
const NONE = Symbol("no state");

/**
 * Gathers records into batches and confirms STATE only after the batch
 * holding every record before it is durable.
 *
 * Writes run one at a time on a promise chain. `flush()` takes the pending
 * records and the newest STATE that arrived after them, and queues "write,
 * then confirm". A STATE that arrives with no records pending is queued
 * behind whatever write is in flight, so it is never confirmed early.
 */
export class RecordBatcher {
  private pending = new Map<string, PendingRecords>();
  private pendingCount = 0;
  private pendingSince = 0;
  private pendingState: unknown = NONE;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  /**
   * @param reject when given, writers may reject single records; the
   *   rejections of a batch are reported once the batch is written, before
   *   the STATE after it is confirmed.
   */
  constructor(
    private readonly writer: TargetWriter,
    private readonly confirmState: (value: unknown) => Promise<void> | void,
    private readonly reject?: (rejections: readonly Rejection[]) => Promise<void> | void,
  ) {}

  get size(): number {
    return this.pendingCount;
  }

  /** How many streams the pending batch holds records of. */
  get streamCount(): number {
    return this.pending.size;
  }

  /** Milliseconds the oldest pending record has waited. */
  age(now = Date.now()): number {
    return this.pendingCount === 0 ? 0 : now - this.pendingSince;
  }

  /** Throws the error of a failed background write, if any. */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Encoded records that may be rejected one by one keep their JSON beside them (TargetWriter.rejectsRecords): `add` wants it then. */
  get keepsJson(): boolean {
    return this.writer.recordsAs === "encoded" && this.writer.rejectsRecords === true && this.reject !== undefined;
  }

  /**
   * Adds a record: the object, or `text` when the writer takes records as
   * text or encoded (TargetWriter.recordsAs; JSON.stringify of the record
   * when no text is given). `json` is the record's JSON text, kept for an
   * encoded record that may be rejected (JSON.stringify when not given).
   */
  add(stream: StreamInfo, record: RecordMessage, line: number, text?: string, json?: string): void {
    let entry = this.pending.get(stream.name);
    if (entry === undefined || entry.stream !== stream) {
      if (entry !== undefined) throw new Error(`stream ${stream.name} changed schema with records pending; flush first`);
      const asText = this.writer.recordsAs === "text" || this.writer.recordsAs === "encoded";
      entry = { stream, records: [], lines: [], ...(asText ? { texts: [] } : {}), ...(this.keepsJson ? { jsons: [] } : {}) };
      this.pending.set(stream.name, entry);
    }
    if (entry.texts === undefined) entry.records.push(record);
    else entry.texts.push(text ?? stringifyJson(record.record));
    entry.jsons?.push(json ?? stringifyJson(record.record));
    entry.lines.push(line);
    if (this.pendingCount === 0) this.pendingSince = Date.now();
    this.pendingCount += 1;
  }

  hasPending(streamName: string): boolean {
    return this.pending.has(streamName);
  }

  state(value: unknown): void {
    if (this.pendingCount > 0) {
      this.pendingState = value;
    } else {
      this.enqueue(() => this.confirmState(value));
    }
  }

  /** Queues the pending records (and the STATE after them) for writing; resolves when done. */
  flush(): Promise<void> {
    if (this.pendingCount === 0 && this.pendingState === NONE) return this.chain;
    const rejections: Rejection[] = [];
    const batch: StreamRecords[] = [...this.pending.values()].map((entry) => ({
      stream: entry.stream,
      records: entry.records,
      lines: entry.lines,
      ...(entry.texts === undefined ? {} : { texts: entry.texts }),
      reject:
        this.reject === undefined || (this.writer.recordsAs === "encoded" && !this.keepsJson)
          ? undefined
          : (index: number, error: AgoraError) =>
              rejections.push({ stream: entry.stream, record: recordAt(entry, index), line: entry.lines[index] as number, error }),
    }));
    const state = this.pendingState;
    this.pending = new Map();
    this.pendingCount = 0;
    this.pendingState = NONE;
    return this.enqueue(async () => {
      if (batch.length > 0) await this.writer.writeBatch(batch);
      if (rejections.length > 0) await this.reject?.(rejections);
      if (state !== NONE) await this.confirmState(state);
    });
  }

  /** Resolves once every write already queued is done (or has failed): no new batch is started. */
  settled(): Promise<void> {
    return this.chain.catch(() => undefined);
  }

  /** Runs a step after every queued write, such as ACTIVATE_VERSION or a schema change. */
  enqueue(step: () => Promise<void> | void): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      try {
        await step();
      } catch (error) {
        this.failure = error;
        throw error;
      }
    });
    // A failure is reported by throwIfFailed or by whoever awaits; never as an unhandled rejection.
    this.chain.catch(() => undefined);
    return this.chain;
  }
}
