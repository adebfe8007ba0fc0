import { recordText, serializeMessage, type AgoraError, type BatchMessage, type RecordMessage } from "../../protocol/index.js";
import type { PlannedBatch } from "../batches/batch-lane.js";
import type { PipelineDefinition } from "../definition.js";
import type { ChainResult } from "../middleware/chain.js";
import type { BatchRoute } from "../batches/batch-route.js";
import type { SchemaContract } from "../catalog/schema-contract.js";
import type { Rejections, RunControl, TargetSink } from "../ports.js";
import type { RunCounts } from "./run-counts.js";
import type { StreamDirectory } from "./stream-directory.js";
import type { RecordChecks } from "./record-checks.js";

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

/** An item on its way to the targets, in source order. */
export type Outgoing =
  | { readonly kind: "line"; readonly line: string; readonly to?: readonly number[] | undefined }
  /** A RECORD line of a forwarded stream, its bytes as the tap wrote them (no newline). */
  | { readonly kind: "forward"; readonly stream: string; readonly bytes: Buffer }
  | { readonly kind: "state"; readonly value: unknown; readonly line: string }
  | { readonly kind: "record"; readonly message: RecordMessage; readonly raw: string; readonly line: number; readonly result: ChainResult }
  | { readonly kind: "batch"; readonly planned: PlannedBatch; readonly raw: string }
  | { readonly kind: "bad-batch"; readonly message: BatchMessage; readonly raw: string; readonly line: number; readonly error: AgoraError };

/**
 * The data path's last step: each item, in source order, to the targets it
 * is routed to, counted as delivered; a record the middleware failed or made
 * invalid to the dead-letter queue instead. Once the run failed here nothing
 * more is sent, so no STATE after the failure moves the checkpoint.
 */
export class OutgoingSender {
  /** A failure found on the data path: nothing more is sent. */
  halted = false;

  constructor(
    private readonly definition: PipelineDefinition,
    private readonly checks: RecordChecks,
    private readonly parts: DataPathParts,
  ) {}

  /** Fails the run from the data path: what comes after is not sent (no STATE after the failure moves the checkpoint). */
  halt(error: AgoraError): void {
    this.halted = true;
    this.parts.control.fail(error);
  }

  /** Emits an item to every target, in source order. */
  send(item: Outgoing): void {
    if (this.halted) return;
    const { sink, counts, batches } = this.parts;
    switch (item.kind) {
      case "line":
        sink.send(item.line, item.to);
        return;
      case "forward": {
        const to = this.parts.streams.routes.forStream(item.stream);
        if (to !== undefined && to.length === 0) return;
        counts.delivered.add(item.stream);
        counts.targets.sent(to);
        sink.sendLineBytes(item.bytes, to);
        return;
      }
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
