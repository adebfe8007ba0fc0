import { stringifyJson, TransientError, ConfigError, FatalError, type AgoraError } from "../../protocol/index.js";
import { projectRecord } from "../../catalogs/index.js";
import { RunnerCodes } from "../errors.js";
import { describeDescriptor, descriptorKey, descriptorOf, isObject, readAirbyteLine, type AirbyteMessage, type StreamDescriptor } from "./airbyte-message.js";
import type { SourceStream } from "./airbyte-catalog.js";
import { AirbyteStateSet, stateProblem } from "./airbyte-state.js";
import type { AirbyteNotices } from "./airbyte-notices.js";

/**
 * Reads an Airbyte source's `read` output a line at a time and gives the
 * Singer lines the run takes in its place: a SCHEMA before each stream's
 * first RECORD, each RECORD (cut to the selected properties), and for each
 * STATE the whole state array the next `read --state` is handed. A record
 * the source says it changed (`meta.changes`: a field NULLED or TRUNCATED)
 * becomes a DEAD_LETTER of the source, which the run routes under its
 * on_error like any record it refuses. LOG, TRACE and CONTROL go to the
 * run's AirbyteNotices; any other line is the source's log, as the
 * protocol says.
 */
export class SourceTranslator {
  private readonly streams = new Map<string, SourceStream>();
  private readonly announced = new Set<string>();
  private readonly states: AirbyteStateSet;
  /** The first TRACE ERROR: it is the run's failure, whatever the exit code. */
  private reportedError: AgoraError | undefined;

  constructor(
    private readonly name: string,
    streams: readonly SourceStream[],
    initialState: readonly unknown[],
    private readonly notices: AirbyteNotices,
  ) {
    for (const stream of streams) this.streams.set(descriptorKey(stream.descriptor), stream);
    this.states = new AirbyteStateSet(initialState);
  }

  /** The failure the source reported with a TRACE ERROR, if it did. */
  get error(): AgoraError | undefined {
    return this.reportedError;
  }

  /** The Singer lines (each ending in a newline) for one line of the source's stdout. */
  translate(text: string, line: number): string[] {
    const message = readAirbyteLine(text);
    if (message === undefined) {
      if (text.trim() !== "") this.notices.log("INFO", text);
      return [];
    }
    switch (message.type) {
      case "RECORD":
        return this.record(message, line);
      case "STATE":
        return this.state(message, line);
      case "LOG":
        this.log(message);
        return [];
      case "TRACE":
        this.trace(message);
        return [];
      case "CONTROL":
        this.control(message, line);
        return [];
      default:
        this.notices.log("DEBUG", `a ${message.type} message during read (line ${line}); ignored`);
        return [];
    }
  }

  private record(message: AirbyteMessage, line: number): string[] {
    const record = message["record"];
    const descriptor = descriptorOf(isObject(record) ? { name: record["stream"], namespace: record["namespace"] } : undefined);
    if (!isObject(record) || descriptor === undefined || !isObject(record["data"])) {
      throw this.protocolError(`line ${line}: a RECORD without record.stream and a record.data object`);
    }
    const stream = this.streams.get(descriptorKey(descriptor));
    if (stream === undefined) {
      throw this.protocolError(`line ${line}: a RECORD of stream ${describeDescriptor(descriptor)}, which the configured catalog it was given does not select`);
    }
    const out = this.announce(stream);
    const data = projectRecord(record["data"], stream.projection);
    const changes = isObject(record["meta"]) && Array.isArray(record["meta"]["changes"]) ? record["meta"]["changes"] : [];
    if (changes.length > 0) {
      out.push(
        `${stringifyJson({
          type: "DEAD_LETTER",
          stream: stream.id,
          stage: "source",
          error: { code: "SOURCE_CHANGED_RECORD", message: `the source changed this record: ${describeChanges(changes)}` },
          record: data,
        })}\n`,
      );
      return out;
    }
    const extracted = typeof record["emitted_at"] === "number" ? isoTime(record["emitted_at"]) : undefined;
    out.push(`${stringifyJson({ type: "RECORD", stream: stream.id, record: data, ...(extracted === undefined ? {} : { time_extracted: extracted }) })}\n`);
    return out;
  }

  /** The stream's SCHEMA, the first time it is needed. */
  private announce(stream: SourceStream): string[] {
    if (this.announced.has(stream.id)) return [];
    this.announced.add(stream.id);
    return [
      `${stringifyJson({
        type: "SCHEMA",
        stream: stream.id,
        schema: stream.schema,
        key_properties: stream.keyProperties,
        ...(stream.bookmarkProperties.length > 0 ? { bookmark_properties: stream.bookmarkProperties } : {}),
      })}\n`,
    ];
  }

  private state(message: AirbyteMessage, line: number): string[] {
    const state = message["state"];
    const problem = stateProblem(state);
    if (problem !== undefined) throw this.protocolError(`line ${line}: ${problem}`);
    this.states.take(state as Record<string, unknown>);
    return [`${stringifyJson({ type: "STATE", value: this.states.toArray() })}\n`];
  }

  private log(message: AirbyteMessage): void {
    const log = message["log"];
    if (!isObject(log) || typeof log["message"] !== "string") return;
    this.notices.log(typeof log["level"] === "string" ? log["level"] : "INFO", log["message"]);
  }

  private trace(message: AirbyteMessage): void {
    const trace = message["trace"];
    if (!isObject(trace)) return;
    if (trace["type"] === "ERROR" && isObject(trace["error"])) {
      const error = traceError(this.name, trace["error"]);
      this.reportedError ??= error;
      this.notices.log("ERROR", error.message);
    } else if (trace["type"] === "ESTIMATE" && isObject(trace["estimate"])) {
      const estimate = trace["estimate"];
      const rows = typeof estimate["row_estimate"] === "number" ? estimate["row_estimate"] : undefined;
      const stream = descriptorOf(estimate);
      if (rows !== undefined) this.notices.estimate(estimate["type"] === "SYNC" || stream === undefined ? undefined : this.idOf(stream), rows);
    } else if (trace["type"] === "STREAM_STATUS" && isObject(trace["stream_status"])) {
      const status = trace["stream_status"];
      const stream = descriptorOf(status["stream_descriptor"]);
      if (stream !== undefined && typeof status["status"] === "string") {
        const reasons = Array.isArray(status["reasons"])
          ? status["reasons"].map((reason) => (isObject(reason) ? String(reason["type"]) : "")).filter(Boolean)
          : [];
        this.notices.streamStatus(this.idOf(stream), status["status"], reasons);
      }
    }
  }

  private control(message: AirbyteMessage, line: number): void {
    const control = message["control"];
    if (!isObject(control) || control["type"] !== "CONNECTOR_CONFIG") return;
    const config = isObject(control["connectorConfig"]) ? control["connectorConfig"]["config"] : undefined;
    if (!isObject(config)) throw this.protocolError(`line ${line}: a CONNECTOR_CONFIG control message without connectorConfig.config`);
    this.notices.configChanged(config);
  }

  private idOf(descriptor: StreamDescriptor): string {
    return this.streams.get(descriptorKey(descriptor))?.id ?? describeDescriptor(descriptor);
  }

  private protocolError(message: string): AgoraError {
    return new FatalError(RunnerCodes.AIRBYTE_PROTOCOL, `the source broke the Airbyte protocol: ${message}`, {
      where: { connector: this.name },
      hint: "A source writes one AirbyteMessage per line on stdout (see docs/airbyte.md); report it to the connector's authors.",
    });
  }
}

/** A TRACE ERROR as the run's failure: its failure_type decides the kind (config: fix it; transient: retried; system: a failure). */
export function traceError(connector: string, error: Readonly<Record<string, unknown>>): AgoraError {
  const message = typeof error["message"] === "string" ? error["message"] : "(no message)";
  const stream = descriptorOf(error["stream_descriptor"]);
  const text = `${connector} reported an error${stream === undefined ? "" : ` in stream ${describeDescriptor(stream)}`}: ${message}`;
  const where = { connector };
  switch (error["failure_type"]) {
    case "config_error":
      return new ConfigError(RunnerCodes.AIRBYTE_CONFIG_ERROR, text, {
        where,
        hint: "Its config is wrong (failure_type config_error): fix it, then run again.",
      });
    case "transient_error":
      return new TransientError(RunnerCodes.AIRBYTE_TRANSIENT_ERROR, text, {
        where,
        hint: "It says the cause is passing (failure_type transient_error): run again; the worker retries on its own.",
      });
    default:
      return new FatalError(RunnerCodes.AIRBYTE_SYSTEM_ERROR, text, {
        where,
        hint: "Fix the cause it reports, then run again to resume from the last checkpoint.",
      });
  }
}

/** `email NULLED (SOURCE_FIELD_SIZE_LIMITATION), note TRUNCATED (…)`. */
function describeChanges(changes: readonly unknown[]): string {
  return changes
    .slice(0, 10)
    .map((change) => (isObject(change) ? `${String(change["field"])} ${String(change["change"])} (${String(change["reason"])})` : String(change)))
    .join(", ");
}

/** An epoch in milliseconds as an ISO time; undefined for one no Date can hold. */
function isoTime(milliseconds: number): string | undefined {
  const date = new Date(milliseconds);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
