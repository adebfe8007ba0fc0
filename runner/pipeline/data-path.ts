import {
  asAgoraError,
  ConfigError,
  ProtocolError,
  exactRecord,
  markExactRecord,
  NumberPlaces,
  readBatchFiles,
  recordText,
  RecordValidator,
  serializeMessage,
  type AgoraError,
  type BatchMessage,
  type Message,
  type MessageLine,
  type RecordMessage,
  type SchemaMessage,
} from "../../protocol/index.js";
import { BatchLane, recordLine, rowLaneReason, type PlannedBatch, type TargetBatchFormats } from "../batches/batch-lane.js";
import { inspectBatch } from "../batches/inspect-batch.js";
import { transformArrowBatch } from "../batches/transform-arrow-batch.js";
import { chainWorksOnArrow } from "../middleware/planes.js";
import { applyCut, type SchemaContract } from "../catalog/schema-contract.js";
import { RunnerCodes } from "../errors.js";
import type { RejectedRecord } from "../dlq/dead-letter-router.js";
import type { ChainResult, MiddlewareChain } from "../middleware/chain.js";
import { OrderedWindow } from "../middleware/ordered-window.js";
import type { StreamShape } from "../middleware/types.js";
import { StreamCounters } from "./stream-counters.js";
import { TargetCounts } from "./target-counts.js";
import { TargetRoutes } from "./target-routes.js";
import type { PipelineDefinition } from "./types.js";

/** What the data path needs from the run around it. */
export interface DataPathHooks {
  /** Sends one line (with its newline) to the targets listed (every target when undefined). */
  queue(line: string, to: readonly number[] | undefined): void;
  /** A STATE is about to be sent; `delivered` counts the records sent before it, per stream, and `sentTo` per target. */
  forwardingState(value: unknown, delivered: Readonly<Record<string, number>>, sentTo: readonly number[]): void;
  /** A record was rejected (by validation, a middleware or the tap). */
  reject(rejected: RejectedRecord, line: number | undefined): void;
  /** The pipeline's max_records was reached: stop the tap. */
  maxRecordsReached(): void;
  /** Something makes the run impossible (two streams renamed to one name): fail it. */
  fail(error: AgoraError): void;
  /** The BATCH formats each target reads natively, asked for when the first BATCH comes. */
  batchFormats(): Promise<TargetBatchFormats>;
  /** Batch files whose records were sent (or expanded): theirs to remove once the STATE after them is confirmed. */
  batchFilesSent(paths: readonly string[]): void;
}

/** A chain's result for a record changed before the chain: its line must be written anew. */
function changedResult(result: ChainResult): ChainResult {
  return result.kind === "record" ? { ...result, changed: true } : result;
}

/** An item on its way to the targets, in source order. */
type Outgoing =
  | { readonly kind: "line"; readonly line: string; readonly to?: readonly number[] | undefined }
  | { readonly kind: "state"; readonly value: unknown; readonly line: string }
  | { readonly kind: "record"; readonly message: RecordMessage; readonly raw: string; readonly line: number; readonly result: ChainResult }
  | { readonly kind: "batch"; readonly planned: PlannedBatch; readonly raw: string }
  | { readonly kind: "bad-batch"; readonly message: BatchMessage; readonly raw: string; readonly line: number; readonly error: AgoraError };

/**
 * The tap's messages on their way to the targets: validation, middleware,
 * and an ordered window so async middleware can run concurrently while
 * everything still leaves in source order. A record that nothing changed is
 * forwarded as the tap's original line, without re-serialising it. Streams
 * may be renamed by the chain, and routed to some targets only; STATEs go to
 * every target.
 */
export class DataPath {
  readonly read = new StreamCounters();
  readonly delivered = new StreamCounters();
  /** Records sent to each target. */
  readonly targetCounts: TargetCounts;
  private readonly validator = new RecordValidator();
  /** Where each stream's records may hold numbers, for records validated here (see NumberPlaces). */
  private readonly numberPlaces = new Map<string, NumberPlaces>();
  private readonly tapShapes = new Map<string, StreamShape>();
  private readonly routes: TargetRoutes;
  /** The name targets see, by the tap's name (only renamed streams), and the reverse for every stream announced. */
  private readonly outputNames = new Map<string, string>();
  private readonly sourceOf = new Map<string, string>();
  private readonly window: OrderedWindow<Outgoing>;
  private limitReached = false;
  /** A failure found on the data path: nothing more is sent, so no STATE after it reaches a target. */
  private halted = false;
  /** BATCH messages: checked, then sent as they are or as RECORDs per target. */
  readonly batches: BatchLane;
  /** True when every middleware step works on Arrow batches: Arrow BATCHes then go through the chain columnar. */
  private readonly chainOnArrow: boolean;

  /** Compares each tap SCHEMA with the catalog the tap was handed, and decides what new columns do (schema_changes). */
  private readonly contract: SchemaContract | undefined;

  /** Validates the middleware's output against the SCHEMA the targets get, when `validateAfterChain` (a replay's repair). */
  private readonly outputValidator: RecordValidator | undefined;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly chain: MiddlewareChain,
    private readonly hooks: DataPathHooks,
    /**
     * validateAfterChain: validate what the middleware made, against the
     * schema it made, instead of what the tap sent (a replay does, so a step
     * added to repair a record, a coerce say, can make it valid).
     */
    options: { readonly validateAfterChain?: boolean; readonly contract?: SchemaContract } = {},
  ) {
    this.contract = options.contract;
    this.outputValidator = options.validateAfterChain === true ? new RecordValidator() : undefined;
    this.window = new OrderedWindow<Outgoing>(Math.max(1, definition.concurrency, ...chain.steps.map((step) => step.inFlightRecords ?? 0)), (item) =>
      this.send(item),
    );
    this.routes = new TargetRoutes(definition.targets.map((target) => target.route));
    this.targetCounts = new TargetCounts(definition.targets.length);
    this.batches = new BatchLane(definition.targets.length, () => hooks.batchFormats(), definition.batchRoots);
    this.chainOnArrow = chainWorksOnArrow(chain.steps);
  }

  /** True once max_records was reached: further messages are ignored. */
  get stopped(): boolean {
    return this.limitReached;
  }

  /** The tap's schema of a stream, for dead letters. */
  /** True once the tap sent a SCHEMA for `stream`. */
  announced(stream: string): boolean {
    return this.tapShapes.has(stream);
  }

  schemaOf(stream: string): Pick<RejectedRecord, "schema" | "keyProperties"> {
    const shape = this.tapShapes.get(stream);
    return shape === undefined ? {} : { schema: shape.schema, keyProperties: shape.keyProperties };
  }

  /** The tap's name of a stream targets know under `name` (a target's dead letter names what it saw). */
  sourceStream(name: string): string {
    return this.sourceOf.get(name) ?? name;
  }

  /** Handles one message. Returns a promise when the window is full (or a schema transform is async): await it. */
  handle(item: MessageLine): Promise<void> | undefined {
    if (!item.known) return this.window.add({ kind: "line", line: `${item.raw}\n` });
    const message = item.message;
    switch (message.type) {
      case "RECORD":
        return this.handleRecord(message, item.raw, item.line);
      case "STATE":
        // Every STATE is kept until every target confirms it: one past max_state_bytes would hold the run's memory.
        if (item.raw.length > this.definition.maxStateBytes / 4 && Buffer.byteLength(item.raw) > this.definition.maxStateBytes) {
          this.halt(
            new ProtocolError("STATE_TOO_LARGE", `a STATE of ${Buffer.byteLength(item.raw)} bytes, past max_state_bytes (${this.definition.maxStateBytes})`, {
              where: { connector: this.definition.tap.name, line: item.line },
              hint: "A STATE holds bookmarks, not data: have the tap keep less in it, or raise max_state_bytes in pipelines.toml.",
            }),
          );
          return undefined;
        }
        return this.window.add({ kind: "state", value: message.value, line: `${item.raw}\n` });
      case "SCHEMA":
        return this.handleSchema(message, item.raw, item.line);
      case "BATCH":
        return this.handleBatch(message, item.raw, item.line);
      case "DEAD_LETTER":
        this.hooks.reject(
          {
            stream: message.stream,
            stage: "source",
            errorCode: message.error.code,
            errorMessage: message.error.message,
            original: message.record,
            raw: message.raw,
            location: message.location,
            ...this.schemaOf(message.stream),
          },
          item.line,
        );
        return undefined;
      default:
        return this.window.add(this.streamLine(message, item.raw));
    }
  }

  /**
   * A BATCH: with middleware or max_records (which work record by record),
   * its records enter the row lane here, each validated and transformed like
   * a RECORD; otherwise it is checked once and, in source order, sent as it
   * is to the targets that read its format and as RECORDs to the others.
   */
  private handleBatch(message: BatchMessage, raw: string, line: number): Promise<void> | undefined {
    const validator = this.definition.validate ? this.validator : undefined;
    const rowsNeeded =
      rowLaneReason(this.definition, this.chainOnArrow, message.encoding.format) !== undefined || this.contract?.cutFor(message.stream) !== undefined;
    if (rowsNeeded) return this.batchAsRecords(message, raw, line);
    const name = this.outputNames.get(message.stream) ?? message.stream;
    const targets = this.routes.forStream(name) ?? this.definition.targets.map((_, index) => index);
    const expandFor = (target: number): boolean => this.routes.filtersRecords(target);
    const planning = this.chain.isEmpty
      ? this.batches.plan(message, targets, validator, this.tapShapes.get(message.stream)?.schema, expandFor)
      : this.planThroughArrowChain(message, targets, validator, expandFor);
    return planning.then(
      // A batch the middleware rewrote names its new files: targets get that message, not the tap's line.
      (batch) => this.window.add({ kind: "batch", planned: batch, raw: batch.message === message ? raw : serializeMessage(batch.message).slice(0, -1) }),
      (error: unknown) => {
        // A first row that does not validate may be one bad record among good ones: every row is then checked on its own, so only the bad ones are rejected.
        if (asAgoraError(error).code === RunnerCodes.BATCH_ROW_INVALID) return this.batchAsRecords(message, raw, line);
        return this.window.add({ kind: "bad-batch", message, raw, line, error: asAgoraError(error).withLocation({ line }) });
      },
    );
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
    const inspected = await inspectBatch(message, validator, this.tapShapes.get(message.stream)?.schema, this.definition.batchRoots);
    const sources = inspected.files.map((file) => file.path);
    // A failure leaves the tap's files where they are: a dead letter of this BATCH names them, for its replay.
    const transformed = await transformArrowBatch(message, sources, (table) => this.chain.processArrow(table, message.stream));
    // Arrow files are checked by their columns' types, against the SCHEMA the chain makes.
    const planned = await this.batches.plan(transformed.message, targets, undefined, this.chain.outputShape(message.stream)?.schema, expandFor);
    return { ...planned, extraFiles: sources };
  }

  /** A batch's records through the row lane (validation, middleware, max_records), in order. */
  private async batchAsRecords(message: BatchMessage, raw: string, line: number): Promise<void> {
    let paths: readonly string[];
    try {
      // No first-row check: every row is validated below, on its own.
      paths = (await inspectBatch(message, undefined, this.tapShapes.get(message.stream)?.schema, this.definition.batchRoots)).files.map((file) => file.path);
    } catch (error) {
      this.rejectBatch(message, raw, line, asAgoraError(error).withLocation({ line }));
      return;
    }
    // Every file of the manifest, in order (inspected above: each inside the pipeline's batch roots).
    for await (const chunk of readBatchFiles(message, line, this.definition.batchRoots)) {
      for (const record of chunk) {
        if (this.limitReached) return;
        const recordMessage: RecordMessage = { type: "RECORD", stream: message.stream, record };
        const wait = this.handleRecord(recordMessage, serializeMessage(recordMessage).slice(0, -1), line);
        if (wait !== undefined) await wait;
      }
    }
    this.hooks.batchFilesSent(paths);
  }

  /** A bad batch: one dead letter naming its files (on_error = "dlq"), or the run's failure. */
  private rejectBatch(message: BatchMessage, raw: string, line: number, error: AgoraError): void {
    if (this.definition.onError === "fail") {
      this.halt(error);
      return;
    }
    this.hooks.reject(
      { stream: message.stream, stage: "source", errorCode: error.code, errorMessage: error.message, raw, ...this.schemaOf(message.stream) },
      line,
    );
  }

  /** An ACTIVATE_VERSION line, under the stream's name for targets, for the targets of that stream. */
  private streamLine(message: Exclude<Message, RecordMessage | SchemaMessage>, raw: string): Outgoing {
    if (!("stream" in message)) return { kind: "line", line: `${raw}\n` };
    const name = this.outputNames.get(message.stream) ?? message.stream;
    return { kind: "line", line: name === message.stream ? `${raw}\n` : serializeMessage({ ...message, stream: name }), to: this.routes.forStream(name) };
  }

  /** Resolves once everything handled so far has been sent. */
  flush(): Promise<void> {
    return this.window.flush();
  }

  private handleSchema(message: SchemaMessage, raw: string, line: number): Promise<void> | undefined {
    if (this.definition.validate) {
      this.validator.setSchema(message.stream, message.schema, line);
      this.numberPlaces.set(message.stream, new NumberPlaces(message.schema));
    }
    const announced: StreamShape = { stream: message.stream, schema: message.schema, keyProperties: message.key_properties };
    this.tapShapes.set(message.stream, announced);
    // Under schema_changes = "freeze" a new column fails the run here, before any record of the stream.
    const shape = this.contract === undefined ? announced : this.contract.check(announced);
    const toLine = (output: StreamShape): Outgoing => {
      this.claimName(message.stream, output.stream);
      this.outputValidator?.setSchema(output.stream, output.schema, line);
      return {
        kind: "line",
        line:
          output === announced
            ? `${raw}\n`
            : serializeMessage({ ...message, stream: output.stream, schema: output.schema, key_properties: output.keyProperties }),
        to: this.routes.forStream(output.stream),
      };
    };
    const output = this.chain.setSchema(shape);
    // An async schema transform (a mapper's) must finish before the stream's records are processed.
    if (output instanceof Promise) return output.then((resolved) => this.window.add(toLine(resolved)));
    return this.window.add(toLine(output));
  }

  /** Records the name targets see for a stream; two streams may not end up with one name. */
  private claimName(source: string, output: string): void {
    const holder = this.sourceOf.get(output);
    if (holder !== undefined && holder !== source) {
      this.halt(
        new ConfigError(RunnerCodes.STREAM_NAME_TAKEN, `streams "${holder}" and "${source}" would both reach the targets as "${output}"`, {
          where: { stream: source },
          hint: "Change the rename_stream middleware so every stream keeps a name of its own.",
        }),
      );
    }
    this.sourceOf.set(output, source);
    if (output === source) this.outputNames.delete(source);
    else this.outputNames.set(source, output);
  }

  private handleRecord(message: RecordMessage, raw: string, line: number): Promise<void> | undefined {
    const { maxRecords } = this.definition;
    if (maxRecords !== undefined && this.read.total >= maxRecords) {
      this.reachLimit();
      return undefined;
    }
    this.read.add(message.stream);
    // Validation and middleware see every number as the line wrote it; without either the tap's line goes on as it is.
    const { validate } = this.definition;
    const passedOn = this.chain.isEmpty && this.outputValidator === undefined;
    const record = validate
      ? exactRecord(message, raw, line, this.numberPlaces.get(message.stream))
      : passedOn
        ? message.record
        : exactRecord(message, raw, line);
    if (validate) {
      const invalid = this.validator.validate(message.stream, record, line);
      if (invalid !== undefined) {
        // Made exact for a record that validates (NumberPlaces): a failed one is read whole again.
        const original = record === message.record ? exactRecord(message, raw, line) : record;
        // `raw`: the record's text as its line has it, every character as the tap wrote it.
        this.hooks.reject(
          {
            stream: message.stream,
            stage: "validate",
            errorCode: invalid.code,
            errorMessage: invalid.message,
            original,
            raw: recordText(raw, message),
            ...this.schemaOf(message.stream),
          },
          line,
        );
        return undefined;
      }
    }
    let entering = record;
    const cut = this.contract?.cutFor(message.stream);
    if (cut !== undefined) {
      const applied = applyCut(record, cut);
      if ("rejectedBy" in applied) {
        const errorMessage = `the record has a value in "${applied.rejectedBy}", a column the pipeline's catalog lacks (schema_changes = "discard_row")`;
        this.hooks.reject(
          {
            stream: message.stream,
            stage: "validate",
            errorCode: RunnerCodes.SCHEMA_NEW_COLUMN,
            errorMessage,
            original: record,
            raw: recordText(raw, message),
            ...this.schemaOf(message.stream),
          },
          line,
        );
        return undefined;
      }
      entering = applied.record;
    }
    const processed: ChainResult | Promise<ChainResult> = this.chain.isEmpty
      ? { kind: "record", record: entering, changed: false }
      : this.chain.process(entering, message.stream);
    // A record the contract cut is not the tap's line any more, whatever the chain did.
    const result = entering === record ? processed : processed instanceof Promise ? processed.then(changedResult) : changedResult(processed);
    const exact: RecordMessage = record === message.record ? message : { ...message, record };
    const outgoing =
      result instanceof Promise
        ? result.then((settled): Outgoing => ({ kind: "record", message: exact, raw, line, result: settled }))
        : ({ kind: "record", message: exact, raw, line, result } as const);
    const wait = this.window.add(outgoing);
    if (maxRecords !== undefined && this.read.total >= maxRecords) this.reachLimit();
    return wait;
  }

  private reachLimit(): void {
    if (this.limitReached) return;
    this.limitReached = true;
    this.hooks.maxRecordsReached();
  }

  /** Fails the run from the data path: what comes after is not sent (no STATE after the failure moves the checkpoint). */
  private halt(error: AgoraError): void {
    this.halted = true;
    this.hooks.fail(error);
  }

  /** Emits an item to every target, in source order. */
  private send(item: Outgoing): void {
    if (this.halted) return;
    if (item.kind === "line") {
      this.hooks.queue(item.line, item.to);
      return;
    }
    if (item.kind === "state") {
      this.hooks.forwardingState(item.value, this.delivered.snapshot(), this.targetCounts.snapshot());
      this.hooks.queue(item.line, undefined);
      return;
    }
    if (item.kind === "batch") {
      this.sendBatch(item.planned, item.raw);
      return;
    }
    if (item.kind === "bad-batch") {
      this.rejectBatch(item.message, item.raw, item.line, item.error);
      return;
    }
    const { result, message } = item;
    if (result.kind === "dropped") return;
    if (result.kind === "failed") {
      this.hooks.reject(
        {
          stream: message.stream,
          stage: "middleware",
          errorCode: result.code,
          errorMessage: `${result.step}: ${result.message}`,
          original: message.record,
          raw: recordText(item.raw, message),
          ...this.schemaOf(message.stream),
        },
        item.line,
      );
      // Under on_error = "fail" that failed the run: nothing after this record is sent, so no STATE passes it.
      if (this.definition.onError === "fail") this.halted = true;
      return;
    }
    const name = this.outputNames.get(message.stream) ?? message.stream;
    // What a step made may hold exact numbers (a coerce of a 20-digit text): marked, so they are checked by value.
    if (this.outputValidator !== undefined) markExactRecord(result.record);
    const invalid = this.outputValidator?.validate(name, result.record, item.line);
    if (invalid !== undefined) {
      this.hooks.reject(
        {
          stream: message.stream,
          stage: "validate",
          errorCode: invalid.code,
          errorMessage: invalid.message,
          original: message.record,
          processed: result.record,
          raw: recordText(item.raw, message),
          ...this.schemaOf(message.stream),
        },
        item.line,
      );
      if (this.definition.onError === "fail") this.halted = true;
      return;
    }
    const to = this.routes.forRecord(name, result.record);
    // Routed to no target (no route takes its stream, or every `where` fails): like a filter, nothing is written.
    if (to !== undefined && to.length === 0) return;
    this.delivered.add(message.stream);
    this.targetCounts.sent(to);
    this.hooks.queue(result.changed || name !== message.stream ? serializeMessage({ ...message, stream: name, record: result.record }) : `${item.raw}\n`, to);
  }

  private sendBatch(planned: PlannedBatch, raw: string): void {
    const { message } = planned;
    const name = this.outputNames.get(message.stream) ?? message.stream;
    this.read.add(message.stream, planned.inspected.rows);
    if (planned.native.length > 0) this.hooks.queue(name === message.stream ? `${raw}\n` : serializeMessage({ ...message, stream: name }), planned.native);
    this.targetCounts.sent(planned.native, planned.inspected.rows);
    for (const record of planned.records) {
      // A target routed by `where` gets the records its expression holds for.
      const to = this.routes.forRecord(name, record.record)?.filter((target) => planned.downgraded.includes(target)) ?? planned.downgraded;
      if (to.length > 0) this.hooks.queue(recordLine(record, name), to);
      this.targetCounts.sent(to);
    }
    this.delivered.add(message.stream, planned.inspected.rows);
    this.batches.sent(planned);
    this.hooks.batchFilesSent([...planned.inspected.files.map((file) => file.path), ...(planned.extraFiles ?? [])]);
  }
}
