import { asAgoraError, readBatchFiles, serializeMessage, type AgoraError, type BatchMessage, type RecordValidator } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { MiddlewareChain } from "../middleware/chain.js";
import type { Rejections, RunTallies, StreamRouting, TargetSink } from "../ports.js";
import type { PipelineDefinition } from "../definition.js";
import type { BatchFileLedger } from "./batch-file-ledger.js";
import { BatchLane, recordLine, type PlannedBatch, type TargetBatchFormats } from "./batch-lane.js";
import { inspectBatch } from "./inspect-batch.js";
import { transformArrowBatch } from "./transform-arrow-batch.js";

/** Where the batch lane asks which BATCH formats each target reads (their --about, asked once). */
export interface BatchFormatSource {
  batchFormats(): Promise<TargetBatchFormats>;
}

/** What becomes of one BATCH: sent planned (natively and as records), read as rows into the row lane, or refused. */
export type BatchRouting =
  | { readonly kind: "planned"; readonly planned: PlannedBatch; readonly raw: string }
  | { readonly kind: "rows"; readonly paths: readonly string[] }
  | { readonly kind: "bad"; readonly error: AgoraError };

/**
 * The batch lane of a run, between the data path and the targets: decides
 * per BATCH whether it goes through as it is (to the targets that read its
 * format, as RECORDs to the others; through an Arrow middleware chain
 * columnar) or enters the row lane, sends planned batches, and hands the
 * files it sent to the ledger that removes them once confirmed.
 */
export class BatchRoute {
  readonly lane: BatchLane;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly chain: MiddlewareChain,
    private readonly streams: StreamRouting,
    private readonly counts: RunTallies,
    private readonly ports: {
      readonly sink: TargetSink;
      readonly rejections: Rejections;
      readonly files: BatchFileLedger;
      readonly formats: BatchFormatSource;
    },
  ) {
    this.lane = new BatchLane(definition.targets.length, ports.formats, definition.batchRoots);
  }

  /**
   * Plans one BATCH, unless its records must take the row lane
   * (`rowsNeeded`): then, or when a row of it does not validate, the
   * files to read as rows. A bad batch is a routing of its own.
   */
  async route(message: BatchMessage, raw: string, line: number, rowsNeeded: boolean, validator: RecordValidator | undefined): Promise<BatchRouting> {
    if (rowsNeeded) return this.asRows(message, line);
    const name = this.streams.outputName(message.stream);
    const targets = this.streams.targetsOf(name);
    const expandFor = (target: number): boolean => this.streams.filtersRecords(target);
    try {
      const schema = this.streams.shapeOf(message.stream)?.schema;
      const planned = this.chain.isEmpty
        ? await this.lane.plan(message, targets, validator, schema, expandFor)
        : await this.planThroughArrowChain(message, targets, validator, expandFor);
      // A batch the middleware rewrote names its new files: targets get that message, not the tap's line.
      return { kind: "planned", planned, raw: planned.message === message ? raw : serializeMessage(planned.message).slice(0, -1) };
    } catch (error) {
      // A first row that does not validate may be one bad record among good ones: every row is then checked on its own, so only the bad ones are rejected.
      if (asAgoraError(error).code === RunnerCodes.BATCH_ROW_INVALID) return this.asRows(message, line);
      return { kind: "bad", error: asAgoraError(error).withLocation({ line }) };
    }
  }

  /** A batch's files, checked, to be read as rows (no first-row check: every row is validated on its own). */
  private async asRows(message: BatchMessage, line: number): Promise<BatchRouting> {
    try {
      const inspected = await inspectBatch(message, undefined, this.streams.shapeOf(message.stream)?.schema, this.definition.batchRoots);
      return { kind: "rows", paths: inspected.files.map((file) => file.path) };
    } catch (error) {
      return { kind: "bad", error: asAgoraError(error).withLocation({ line }) };
    }
  }

  /** The records of a batch routed as rows, a chunk at a time (each file inside the pipeline's batch roots). */
  rows(message: BatchMessage, line: number): AsyncGenerator<Array<{ [key: string]: unknown }>> {
    return readBatchFiles(message, line, this.definition.batchRoots);
  }

  /**
   * An Arrow BATCH through a chain that works on Arrow batches: checked
   * against the tap's SCHEMA, each file transformed columnar into a new file,
   * and the BATCH naming those planned against the SCHEMA targets see.
   */
  private async planThroughArrowChain(
    message: BatchMessage,
    targets: readonly number[],
    validator: RecordValidator | undefined,
    expandFor: (target: number) => boolean,
  ): Promise<PlannedBatch> {
    const inspected = await inspectBatch(message, validator, this.streams.shapeOf(message.stream)?.schema, this.definition.batchRoots);
    const sources = inspected.files.map((file) => file.path);
    // A failure leaves the tap's files where they are: a dead letter of this BATCH names them, for its replay.
    const transformed = await transformArrowBatch(message, sources, (table) => this.chain.processArrow(table, message.stream));
    // Arrow files are checked by their columns' types, against the SCHEMA the chain makes.
    const planned = await this.lane.plan(transformed.message, targets, undefined, this.chain.outputShape(message.stream)?.schema, expandFor);
    return { ...planned, extraFiles: sources };
  }

  /** Sends a planned batch, in its turn: the BATCH line to the native targets, its records to the others. */
  send(planned: PlannedBatch, raw: string): void {
    const { message } = planned;
    const { sink } = this.ports;
    const name = this.streams.outputName(message.stream);
    this.counts.read.add(message.stream, planned.inspected.rows);
    if (planned.native.length > 0) sink.send(name === message.stream ? `${raw}\n` : serializeMessage({ ...message, stream: name }), planned.native);
    this.counts.targets.sent(planned.native, planned.inspected.rows);
    for (const record of planned.records) {
      // A target routed by `where` gets the records its expression holds for.
      const to = this.streams.targetsOfRecord(name, record.record)?.filter((target) => planned.downgraded.includes(target)) ?? planned.downgraded;
      if (to.length > 0) sink.send(recordLine(record, name), to);
      this.counts.targets.sent(to);
    }
    this.counts.delivered.add(message.stream, planned.inspected.rows);
    this.lane.sent(planned);
    this.ports.files.sent([...planned.inspected.files.map((file) => file.path), ...(planned.extraFiles ?? [])]);
  }

  /** A batch whose rows were sent through the row lane: its files are done with once the STATE after them is confirmed. */
  sentAsRows(paths: readonly string[]): void {
    this.ports.files.sent(paths);
  }

  /**
   * A bad batch: one dead letter naming its files (on_error = "dlq"), or,
   * under on_error = "fail", the error that fails the run.
   */
  reject(message: BatchMessage, raw: string, line: number, error: AgoraError): AgoraError | undefined {
    if (this.definition.onError === "fail") return error;
    this.ports.rejections.reject(
      { stream: message.stream, stage: "source", errorCode: error.code, errorMessage: error.message, raw, ...this.streams.schemaOf(message.stream) },
      line,
    );
    return undefined;
  }
}
