import { stringifyJson, type AgoraError } from "../../protocol/index.js";
import type { JsonSchemaObject } from "../../catalogs/index.js";
import { isObject, readAirbyteLine, type StreamDescriptor } from "./airbyte-message.js";
import type { ConfiguredStream, SourceStream } from "./airbyte-catalog.js";
import type { AirbyteNotices } from "./airbyte-notices.js";
import { traceError } from "./source-translator.js";

/**
 * Singer to an Airbyte destination and back. Going in, a stream's SCHEMA
 * (after the run's middleware and renames: what a Singer target would be
 * told) becomes its configured stream, incremental and `append_dedup` on
 * its key properties (`append` without); a RECORD becomes an Airbyte
 * RECORD; a STATE becomes a GLOBAL state carrying the Singer value, with
 * the records sent since the last one as its sourceStats. Coming out, the
 * destination's echo of that state is the STATE's confirmation, and the
 * records its destinationStats count as rejected become DEAD_LETTERs (the
 * destination does not say which, so they carry no record).
 */
export class DestinationTranslator {
  private readonly schemas = new Map<string, { readonly schema: JsonSchemaObject; readonly keys: readonly string[]; readonly text: string }>();
  /** Records sent since the last STATE, per stream, in the order streams first had one. */
  private sinceState = new Map<string, number>();
  /** Per STATE sent and not yet echoed: its records per stream (to name the streams of rejected records). */
  private readonly unconfirmed: Array<Map<string, number>> = [];
  private reportedError: AgoraError | undefined;
  /** Streams of an Airbyte source by their Singer name: their namespace and key, kept whole for the destination. */
  private readonly sourceStreams = new Map<string, Pick<SourceStream, "descriptor" | "configured">>();

  constructor(
    private readonly name: string,
    private readonly notices: AirbyteNotices,
  ) {}

  get error(): AgoraError | undefined {
    return this.reportedError;
  }

  /** The run's source is an Airbyte source: its streams reach the destination under their own namespace and whole key. */
  useSourceStreams(streams: readonly SourceStream[]): void {
    for (const stream of streams) this.sourceStreams.set(stream.id, stream);
  }

  /**
   * Takes a stream's SCHEMA; true when it is new or changed (a destination
   * already running without it must be restarted to be told).
   */
  schema(stream: string, schema: JsonSchemaObject, keys: readonly string[]): boolean {
    const text = stringifyJson([schema, keys]);
    const known = this.schemas.get(stream);
    this.schemas.set(stream, { schema, keys, text });
    return known?.text !== text;
  }

  /** The streams a destination started now is configured with: every SCHEMA so far. */
  configuredCatalog(): { streams: ConfiguredStream[] } {
    return {
      streams: [...this.schemas].map(([name, { schema, keys }]) => {
        const source = this.sourceStreams.get(name);
        const primaryKey = source?.configured.primary_key ?? keys.map((key) => [key]);
        return {
          stream: { ...this.descriptorOf(name), json_schema: schema, supported_sync_modes: ["full_refresh", "incremental"] },
          sync_mode: "incremental",
          cursor_field: source?.configured.cursor_field ?? [],
          destination_sync_mode: primaryKey.length > 0 ? "append_dedup" : "append",
          ...(primaryKey.length > 0 ? { primary_key: primaryKey } : {}),
        };
      }),
    };
  }

  /** A stream's descriptor at the destination: an Airbyte source's own, else the Singer name. */
  private descriptorOf(stream: string): StreamDescriptor {
    return this.sourceStreams.get(stream)?.descriptor ?? { name: stream };
  }

  record(stream: string, record: unknown, extractedAt: number): string {
    this.sinceState.set(stream, (this.sinceState.get(stream) ?? 0) + 1);
    const { name, namespace } = this.descriptorOf(stream);
    return `${stringifyJson({ type: "RECORD", record: { stream: name, ...(namespace === undefined ? {} : { namespace }), data: record, emitted_at: extractedAt } })}\n`;
  }

  state(value: unknown): string {
    let records = 0;
    for (const count of this.sinceState.values()) records += count;
    this.unconfirmed.push(this.sinceState);
    this.sinceState = new Map();
    return `${stringifyJson({
      type: "STATE",
      state: { type: "GLOBAL", global: { shared_state: { agora_state: value }, stream_states: [] }, sourceStats: { recordCount: records } },
    })}\n`;
  }

  /** The Singer lines (STATE echoes, DEAD_LETTERs) for one line of the destination's stdout. */
  translate(text: string, line: number): string[] {
    const message = readAirbyteLine(text);
    if (message === undefined) {
      if (text.trim() !== "") this.notices.log("INFO", text);
      return [];
    }
    if (message.type === "STATE") return this.echo(message["state"], line);
    if (message.type === "LOG" && isObject(message["log"]) && typeof message["log"]["message"] === "string") {
      this.notices.log(typeof message["log"]["level"] === "string" ? message["log"]["level"] : "INFO", message["log"]["message"]);
    } else if (message.type === "TRACE" && isObject(message["trace"]) && message["trace"]["type"] === "ERROR" && isObject(message["trace"]["error"])) {
      const error = traceError(this.name, message["trace"]["error"]);
      this.reportedError ??= error;
      this.notices.log("ERROR", error.message);
    } else if (message.type === "CONTROL" && isObject(message["control"]) && isObject(message["control"]["connectorConfig"])) {
      const config = message["control"]["connectorConfig"]["config"];
      if (isObject(config)) this.notices.configChanged(config);
    }
    return [];
  }

  private echo(state: unknown, line: number): string[] {
    const shared = isObject(state) && isObject(state["global"]) ? state["global"]["shared_state"] : undefined;
    if (!isObject(shared) || !Object.hasOwn(shared, "agora_state")) {
      this.notices.log("WARN", `echoed a STATE the runner did not send it (line ${line}); ignored`);
      return [];
    }
    const out: string[] = [];
    const counts = this.unconfirmed.shift();
    const stats = isObject(state) ? state["destinationStats"] : undefined;
    const rejected = isObject(stats) && typeof stats["rejectedRecordCount"] === "number" ? Math.trunc(stats["rejectedRecordCount"]) : 0;
    if (rejected > 0 && counts !== undefined) out.push(...this.rejections(rejected, counts));
    out.push(`${stringifyJson({ type: "STATE", value: shared["agora_state"] })}\n`);
    return out;
  }

  /** One DEAD_LETTER per record the destination counted as rejected, at most as many as were sent before the STATE. */
  private rejections(rejected: number, counts: Map<string, number>): string[] {
    const out: string[] = [];
    let left = rejected;
    for (const [stream, sent] of counts) {
      for (let index = 0; index < Math.min(sent, left); index += 1) {
        out.push(
          `${stringifyJson({
            type: "DEAD_LETTER",
            stream,
            stage: "sink_write",
            error: {
              code: "DESTINATION_REJECTED",
              message: `${this.name} counted a record of this stream as rejected (destinationStats.rejectedRecordCount ${rejected}); it does not say which, so the record is not kept here`,
            },
          })}\n`,
        );
      }
      left -= Math.min(sent, left);
      if (left === 0) break;
    }
    return out;
  }
}
