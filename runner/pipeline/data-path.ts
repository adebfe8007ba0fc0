import {
  ForwardedRecord,
  ProtocolError,
  recordText,
  serializeMessage,
  type BatchMessage,
  type Logger,
  type Message,
  type MessageLine,
  type RecordMessage,
  type SchemaMessage,
} from "../../protocol/index.js";
import { rowLaneReason } from "../batches/batch-lane.js";
import { applyCut } from "../catalog/schema-contract.js";
import { tapDeadLetter } from "./dead-letter-router.js";
import { RunnerCodes } from "../errors.js";
import type { ChainResult, MiddlewareChain } from "../middleware/chain.js";
import { OrderedWindow } from "../middleware/ordered-window.js";
import { chainWorksOnArrow } from "../middleware/planes.js";
import type { StreamShape } from "../middleware/types.js";
import { RecordChecks } from "./record-checks.js";
import type { PipelineDefinition } from "../definition.js";
import { ForwardPlan } from "./forward-plan.js";
import { type DataPathParts, OutgoingSender, type Outgoing } from "./outgoing.js";

export type { DataPathParts } from "./outgoing.js";

/** A chain's result for a record changed before the chain: its line must be written anew. */
function changedResult(result: ChainResult): ChainResult {
  return result.kind === "record" ? { ...result, changed: true } : result;
}

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
  private readonly sender: OutgoingSender;
  /** True when every middleware step works on Arrow batches: Arrow BATCHes then go through the chain columnar. */
  private readonly chainOnArrow: boolean;
  /** Which streams' records go on unparsed, once the targets' abilities are known (forwardTo). */
  private forwarding: ForwardPlan | undefined;

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
    this.sender = new OutgoingSender(definition, this.checks, parts);
    this.window = new OrderedWindow<Outgoing>(Math.max(1, definition.concurrency, ...chain.steps.map((step) => step.inFlightRecords ?? 0)), (item) =>
      this.sender.send(item),
    );
    this.chainOnArrow = chainWorksOnArrow(chain.steps);
  }

  /** True once max_records was reached: further messages are ignored. */
  get stopped(): boolean {
    return this.limitReached;
  }

  /**
   * The plan of which streams' records are forwarded as the tap wrote them
   * (see ForwardPlan), given which targets validate records themselves: the
   * tap's reader takes it, and this path decides again at each record.
   */
  forwardTo(validates: readonly boolean[], logger?: Logger): ForwardPlan {
    this.forwarding = new ForwardPlan(this.definition, this.chain, this.parts.streams, this.parts.contract, validates, logger);
    return this.forwarding;
  }

  /** Handles one message. Returns a promise when the window is full (or a schema transform is async): await it. */
  handle(item: MessageLine): Promise<void> | undefined {
    if (!item.known) return this.window.add({ kind: "line", line: `${item.raw}\n` });
    const message = item.message;
    if (message instanceof ForwardedRecord) {
      // Decided again now that every SCHEMA before it was handled (the reader decided before them): if not, parsed now.
      if (this.forwarding?.forwards(message.stream) === true) return this.forwardRecord(message.stream, message.bytes);
      return this.handleRecord(message.parse(), item.raw, item.line);
    }
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
      this.sender.halt(
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
    this.forwarding?.schemaArrived(message.stream);
    // A stream whose records will likely be forwarded has its schema compiled here only if one of them is not.
    this.checks.setSchema(message.stream, message.schema, line, this.forwarding?.mayForward(message.stream) === true);
    const announced: StreamShape = { stream: message.stream, schema: message.schema, keyProperties: message.key_properties };
    this.parts.streams.announce(announced);
    // Under schema_changes = "freeze" a new column fails the run here, before any record of the stream.
    const shape = this.parts.contract === undefined ? announced : this.parts.contract.check(announced);
    const toLine = (output: StreamShape): Outgoing => {
      const taken = this.parts.streams.claimName(message.stream, output.stream);
      if (taken !== undefined) this.sender.halt(taken);
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

  /** A record no part of the runner reads: counted, and sent on as its line (its target validates it). */
  private forwardRecord(stream: string, bytes: Buffer): Promise<void> | undefined {
    const { maxRecords } = this.definition;
    const { counts } = this.parts;
    if (maxRecords !== undefined && counts.read.total >= maxRecords) {
      this.reachLimit();
      return undefined;
    }
    counts.read.add(stream);
    const wait = this.window.add({ kind: "forward", stream, bytes });
    if (maxRecords !== undefined && counts.read.total >= maxRecords) this.reachLimit();
    return wait;
  }

  private reachLimit(): void {
    if (this.limitReached) return;
    this.limitReached = true;
    this.parts.control.maxRecordsReached();
  }
}
