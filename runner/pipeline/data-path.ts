import {
  ProtocolError,
  recordText,
  serializeMessage,
  type AgoraError,
  type BatchMessage,
  type Message,
  type MessageLine,
  type RecordMessage,
  type SchemaMessage,
} from "../../protocol/index.js";
import type { BatchRoute } from "../batches/batch-route.js";
import { rowLaneReason, type PlannedBatch } from "../batches/batch-lane.js";
import { applyCut, type SchemaContract } from "../catalog/schema-contract.js";
import { tapDeadLetter } from "./dead-letter-router.js";
import { RunnerCodes } from "../errors.js";
import type { ChainResult, MiddlewareChain } from "../middleware/chain.js";
import { OrderedWindow } from "../middleware/ordered-window.js";
import { chainWorksOnArrow } from "../middleware/planes.js";
import type { StreamShape } from "../middleware/types.js";
import type { Rejections, RunControl, TargetSink } from "../ports.js";
import { RecordChecks } from "./record-checks.js";
import type { RunCounts } from "./run-counts.js";
import type { StreamDirectory } from "./stream-directory.js";
import type { PipelineDefinition } from "../definition.js";

/** The ports a data path writes to, and the parts of the run it shares. */
export interface DataPathParts {
  readonly sink: TargetSink;
  readonly rejections: Rejections;
  readonly control: RunControl;
  readonly streams: StreamDirectory;
  readonly counts: RunCounts;
  readonly batches: BatchRoute;
  /** Compares each tap SCHEMA with the catalog the tap was handed, and decides what new columns do (schema_changes). */
  readonly contract?: SchemaContract | undefined;
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
 * every target. BATCH messages take the batch lane (BatchRoute).
 */
export class DataPath {
  private readonly checks: RecordChecks;
  private readonly window: OrderedWindow<Outgoing>;
  private limitReached = false;
  /** A failure found on the data path: nothing more is sent, so no STATE after it reaches a target. */
  private halted = false;
  /** True when every middleware step works on Arrow batches: Arrow BATCHes then go through the chain columnar. */
  private readonly chainOnArrow: boolean;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly chain: MiddlewareChain,
    private readonly parts: DataPathParts,
    /**
     * validateAfterChain: validate what the middleware made, against the
     * schema it made, instead of what the tap sent (a replay does, so a step
     * added to repair a record, a coerce say, can make it valid).
     */
    options: { readonly validateAfterChain?: boolean } = {},
  ) {
    this.checks = new RecordChecks(definition.validate, options.validateAfterChain === true);
    this.window = new OrderedWindow<Outgoing>(Math.max(1, definition.concurrency, ...chain.steps.map((step) => step.inFlightRecords ?? 0)), (item) =>
      this.send(item),
    );
    this.chainOnArrow = chainWorksOnArrow(chain.steps);
  }

  /** True once max_records was reached: further messages are ignored. */
  get stopped(): boolean {
    return this.limitReached;
  }

  /** Handles one message. Returns a promise when the window is full (or a schema transform is async): await it. */
  handle(item: MessageLine): Promise<void> | undefined {
    if (!item.known) return this.window.add({ kind: "line", line: `${item.raw}\n` });
    const message = item.message;
    switch (message.type) {
      case "RECORD":
        return this.handleRecord(message, item.raw, item.line);
      case "STATE":
        return this.handleState(message.value, item.raw, item.line);
      case "SCHEMA":
        return this.handleSchema(message, item.raw, item.line);
      case "BATCH":
        return this.handleBatch(message, item.raw, item.line);
      case "DEAD_LETTER":
        this.parts.rejections.reject(tapDeadLetter(message, this.parts.streams.schemaOf(message.stream)), item.line);
        return undefined;
      default:
        return this.window.add(this.streamLine(message, item.raw));
    }
  }

  /** Resolves once everything handled so far has been sent. */
  flush(): Promise<void> {
    return this.window.flush();
  }

  private handleState(value: unknown, raw: string, line: number): Promise<void> | undefined {
    const { maxStateBytes } = this.definition;
    // Every STATE is kept until every target confirms it: one past max_state_bytes would hold the run's memory.
    if (raw.length > maxStateBytes / 4 && Buffer.byteLength(raw) > maxStateBytes) {
      this.halt(
        new ProtocolError(RunnerCodes.STATE_TOO_LARGE, `a STATE of ${Buffer.byteLength(raw)} bytes, past max_state_bytes (${maxStateBytes})`, {
          where: { connector: this.definition.tap.name, line },
          hint: "A STATE holds bookmarks, not data: have the tap keep less in it, or raise max_state_bytes in pipelines.toml.",
        }),
      );
      return undefined;
    }
    return this.window.add({ kind: "state", value, line: `${raw}\n` });
  }

  /**
   * A BATCH: with middleware or max_records (which work record by record),
   * its records enter the row lane here, each validated and transformed like
   * a RECORD; otherwise it is checked once and, in source order, sent as it
   * is to the targets that read its format and as RECORDs to the others.
   */
  private async handleBatch(message: BatchMessage, raw: string, line: number): Promise<void> {
    const rowsNeeded =
      rowLaneReason(this.definition, this.chainOnArrow, message.encoding.format) !== undefined || this.parts.contract?.cutFor(message.stream) !== undefined;
    const routing = await this.parts.batches.route(message, raw, line, rowsNeeded, this.checks.inputValidator);
    if (routing.kind === "planned") return this.window.add({ kind: "batch", planned: routing.planned, raw: routing.raw });
    if (routing.kind === "bad") return this.window.add({ kind: "bad-batch", message, raw, line, error: routing.error });
    for await (const chunk of this.parts.batches.rows(message, line)) {
      for (const record of chunk) {
        if (this.limitReached) return;
        const recordMessage: RecordMessage = { type: "RECORD", stream: message.stream, record };
        const wait = this.handleRecord(recordMessage, serializeMessage(recordMessage).slice(0, -1), line);
        if (wait !== undefined) await wait;
      }
    }
    this.parts.batches.sentAsRows(routing.paths);
  }

  /** An ACTIVATE_VERSION line, under the stream's name for targets, for the targets of that stream. */
  private streamLine(message: Exclude<Message, RecordMessage | SchemaMessage>, raw: string): Outgoing {
    if (!("stream" in message)) return { kind: "line", line: `${raw}\n` };
    const name = this.parts.streams.outputName(message.stream);
    return {
      kind: "line",
      line: name === message.stream ? `${raw}\n` : serializeMessage({ ...message, stream: name }),
      to: this.parts.streams.routes.forStream(name),
    };
  }

  private handleSchema(message: SchemaMessage, raw: string, line: number): Promise<void> | undefined {
    this.checks.setSchema(message.stream, message.schema, line);
    const announced: StreamShape = { stream: message.stream, schema: message.schema, keyProperties: message.key_properties };
    this.parts.streams.announce(announced);
    // Under schema_changes = "freeze" a new column fails the run here, before any record of the stream.
    const shape = this.parts.contract === undefined ? announced : this.parts.contract.check(announced);
    const toLine = (output: StreamShape): Outgoing => {
      const taken = this.parts.streams.claimName(message.stream, output.stream);
      if (taken !== undefined) this.halt(taken);
      this.checks.setOutputSchema(output.stream, output.schema, line);
      return {
        kind: "line",
        line:
          output === announced
            ? `${raw}\n`
            : serializeMessage({ ...message, stream: output.stream, schema: output.schema, key_properties: output.keyProperties }),
        to: this.parts.streams.routes.forStream(output.stream),
      };
    };
    const output = this.chain.setSchema(shape);
    // An async schema transform (a mapper's) must finish before the stream's records are processed.
    if (output instanceof Promise) return output.then((resolved) => this.window.add(toLine(resolved)));
    return this.window.add(toLine(output));
  }

  private handleRecord(message: RecordMessage, raw: string, line: number): Promise<void> | undefined {
    const { maxRecords } = this.definition;
    const { counts, streams, rejections } = this.parts;
    if (maxRecords !== undefined && counts.read.total >= maxRecords) {
      this.reachLimit();
      return undefined;
    }
    counts.read.add(message.stream);
    const record = this.checks.entering(message, raw, line, this.chain.isEmpty && !this.checks.checksOutput);
    const rejectAtValidation = (errorCode: string, errorMessage: string, original: RecordMessage["record"]): undefined => {
      // `raw`: the record's text as its line has it, every character as the tap wrote it.
      rejections.reject(
        { stream: message.stream, stage: "validate", errorCode, errorMessage, original, raw: recordText(raw, message), ...streams.schemaOf(message.stream) },
        line,
      );
      return undefined;
    };
    const invalid = this.checks.checkInput(message, record, raw, line);
    if (invalid !== undefined) return rejectAtValidation(invalid.failure.code, invalid.failure.message, invalid.whole);
    let entering = record;
    const cut = this.parts.contract?.cutFor(message.stream);
    if (cut !== undefined) {
      const applied = applyCut(record, cut);
      if ("rejectedBy" in applied) {
        const why = `the record has a value in "${applied.rejectedBy}", a column the pipeline's catalog lacks (schema_changes = "discard_row")`;
        return rejectAtValidation(RunnerCodes.SCHEMA_NEW_COLUMN, why, record);
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
    if (maxRecords !== undefined && counts.read.total >= maxRecords) this.reachLimit();
    return wait;
  }

  private reachLimit(): void {
    if (this.limitReached) return;
    this.limitReached = true;
    this.parts.control.maxRecordsReached();
  }

  /** Fails the run from the data path: what comes after is not sent (no STATE after the failure moves the checkpoint). */
  private halt(error: AgoraError): void {
    this.halted = true;
    this.parts.control.fail(error);
  }

  /** Emits an item to every target, in source order. */
  private send(item: Outgoing): void {
    if (this.halted) return;
    const { sink, counts, batches } = this.parts;
    switch (item.kind) {
      case "line":
        sink.send(item.line, item.to);
        return;
      case "state":
        sink.sendState(item.value, item.line, counts.delivered.snapshot(), counts.targets.snapshot());
        return;
      case "batch":
        batches.send(item.planned, item.raw);
        return;
      case "bad-batch": {
        const error = batches.reject(item.message, item.raw, item.line, item.error);
        if (error !== undefined) this.halt(error);
        return;
      }
      case "record":
        this.sendRecord(item);
    }
  }

  private sendRecord(item: Extract<Outgoing, { kind: "record" }>): void {
    const { result, message } = item;
    const { sink, counts, streams, rejections } = this.parts;
    if (result.kind === "dropped") return;
    // Made only for a record rejected here: `raw`, the record's text as the tap wrote it.
    const rejected = () => ({ stream: message.stream, original: message.record, raw: recordText(item.raw, message), ...streams.schemaOf(message.stream) });
    if (result.kind === "failed") {
      rejections.reject({ ...rejected(), stage: "middleware", errorCode: result.code, errorMessage: `${result.step}: ${result.message}` }, item.line);
      // Under on_error = "fail" that failed the run: nothing after this record is sent, so no STATE passes it.
      if (this.definition.onError === "fail") this.halted = true;
      return;
    }
    const name = streams.outputName(message.stream);
    const invalid = this.checks.checkOutput(name, result.record, item.line);
    if (invalid !== undefined) {
      rejections.reject({ ...rejected(), stage: "validate", errorCode: invalid.code, errorMessage: invalid.message, processed: result.record }, item.line);
      if (this.definition.onError === "fail") this.halted = true;
      return;
    }
    const to = streams.routes.forRecord(name, result.record);
    // Routed to no target (no route takes its stream, or every `where` fails): like a filter, nothing is written.
    if (to !== undefined && to.length === 0) return;
    counts.delivered.add(message.stream);
    counts.targets.sent(to);
    sink.send(result.changed || name !== message.stream ? serializeMessage({ ...message, stream: name, record: result.record }) : `${item.raw}\n`, to);
  }
}
