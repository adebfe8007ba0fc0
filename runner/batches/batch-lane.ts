import { readBatchFiles, serializeMessage, type BatchMessage, type JsonSchema, type RecordMessage, type RecordValidator } from "../../protocol/index.js";
import { inspectBatch, type InspectedBatch } from "./inspect-batch.js";

/** What each target reads of BATCH messages: the formats it accepts natively (empty: none, send it RECORDs). */
export type TargetBatchFormats = ReadonlyArray<readonly string[]>;

/** One BATCH on its way to the targets: natively to some, as RECORD lines to others. */
export interface PlannedBatch {
  readonly message: BatchMessage;
  readonly inspected: InspectedBatch;
  /** The targets that get the BATCH line itself. */
  readonly native: readonly number[];
  /** The targets that get its records as RECORD lines (the downgrade at their boundary). */
  readonly downgraded: readonly number[];
  /** The records, read only when some target is downgraded (memory bounded by the batch's size). */
  readonly records: readonly RecordMessage[];
  /** Files done with once this batch is confirmed besides its own: the tap's, when the middleware wrote these. */
  readonly extraFiles?: readonly string[];
}

/**
 * Why a pipeline's batches of `format` must enter the row lane at the
 * source, if they must: max_records counts rows, and a middleware chain
 * works on rows unless every step works on Arrow batches and the batch is
 * Arrow. The run and `agora explain` decide by this one rule.
 */
export function rowLaneReason(
  definition: { readonly middleware: readonly unknown[]; readonly maxRecords: number | undefined },
  chainOnArrow: boolean,
  format: string | undefined,
): string | undefined {
  const throughArrow = chainOnArrow && format === "arrow";
  if (definition.middleware.length > 0 && !throughArrow)
    return chainOnArrow ? `the middleware works on ${format ?? ""} batches as rows (columnar on Arrow batches only)` : "the middleware works on rows";
  return definition.maxRecords !== undefined ? "max_records counts rows" : undefined;
}

/** Per target: batches and rows received natively, and downgraded to RECORDs. */
export interface BatchCounts {
  nativeBatches: number;
  nativeRows: number;
  downgradedBatches: number;
  downgradedRows: number;
}

/**
 * The batch lane: each BATCH is checked once (files, format, first row
 * against the SCHEMA), then sent as it is to every target that reads its
 * format and expanded into RECORD messages for the others, so a fan-out can
 * mix a batch-native target with a plain Singer one. Counts both per target.
 */
export class BatchLane {
  readonly counts: BatchCounts[];

  constructor(
    targetCount: number,
    /** The formats each target reads, asked for when the first BATCH comes. */
    private readonly formats: { batchFormats(): Promise<TargetBatchFormats> },
    /** The folders batch files may come from (the pipeline's batch_roots). */
    private readonly roots: readonly string[],
  ) {
    this.counts = Array.from({ length: targetCount }, () => ({ nativeBatches: 0, nativeRows: 0, downgradedBatches: 0, downgradedRows: 0 }));
  }

  /**
   * Plans one BATCH for `targets` (the stream's targets; undefined: all).
   * `expandFor` says which targets must get records whatever they read (a
   * target routed by a `where` expression filters record by record).
   * Throws a DataError naming the file and the stream for a bad batch.
   */
  async plan(
    message: BatchMessage,
    targets: readonly number[],
    validator: RecordValidator | undefined,
    schema: JsonSchema | undefined,
    expandFor: (target: number) => boolean,
  ): Promise<PlannedBatch> {
    const inspected = await inspectBatch(message, validator, schema, this.roots);
    const formats = await this.formats.batchFormats();
    const native = targets.filter((target) => !expandFor(target) && (formats[target] ?? []).includes(message.encoding.format));
    const downgraded = targets.filter((target) => !native.includes(target));
    const records: RecordMessage[] = [];
    if (downgraded.length > 0) {
      for await (const chunk of readBatchFiles(message, 0, this.roots)) {
        for (const record of chunk) records.push({ type: "RECORD", stream: message.stream, record });
      }
    }
    return { message, inspected, native, downgraded, records };
  }

  /** Counts a planned batch as sent. */
  sent(batch: PlannedBatch): void {
    for (const target of batch.native) {
      const counts = this.counts[target] as BatchCounts;
      counts.nativeBatches += 1;
      counts.nativeRows += batch.inspected.rows;
    }
    for (const target of batch.downgraded) {
      const counts = this.counts[target] as BatchCounts;
      counts.downgradedBatches += 1;
      counts.downgradedRows += batch.inspected.rows;
    }
  }
}

/** A record of a downgraded batch as the RECORD line a target reads, under the stream name it knows. */
export function recordLine(record: RecordMessage, stream: string): string {
  return serializeMessage(stream === record.stream ? record : { ...record, stream });
}
