import { AgoraError, FatalError } from "../../errors.js";
import { flattened } from "../../framing/text-chunks.js";
import { exactRecord } from "../../messages/parse.js";
import { recordText } from "../../messages/record-text.js";
import { serializeMessage } from "../../messages/serialize.js";
import type { DeadLetterMessage, RecordMessage } from "../../messages/types.js";
import type { NumberPlaces } from "../../values/number-places.js";
import type { StreamInfo, TargetWriter } from "./types.js";
import { ProtocolCodes } from "../../messages/codes.js";

/* How a target holds each record it is sent: exact, as text or encoded for its writer, or rejected as a dead letter. */

/**
 * A DEAD_LETTER for a record this target refused: at its write (sink_write),
 * or as invalid against its stream's SCHEMA (validate: `raw` is then the
 * record's text as its line had it, for the runner to keep as it arrived).
 */
export function deadLetterLine(
  stream: string,
  record: { [key: string]: unknown },
  line: number,
  error: AgoraError,
  rejectedAt: { readonly stage: "sink_write" } | { readonly stage: "validate"; readonly raw: string | undefined } = { stage: "sink_write" },
): string {
  const message: DeadLetterMessage = {
    type: "DEAD_LETTER",
    stream,
    stage: rejectedAt.stage,
    record,
    ...(rejectedAt.stage === "validate" && rejectedAt.raw !== undefined ? { raw: rejectedAt.raw } : {}),
    error: { code: error.code, message: error.message },
    location: { line },
  };
  return serializeMessage(message);
}

/** The RECORD with its record exact (see exactRecord): the same message when nothing in its line needs it. */
export function withExactRecord(message: RecordMessage, raw: string | undefined, line: number, places: NumberPlaces | undefined): RecordMessage {
  const record = exactRecord(message, raw, line, places);
  return record === message.record ? message : { ...message, record };
}

/**
 * What a batch holds of each record for `writer` instead of the object
 * (TargetWriter.recordsAs): its JSON text, or the writer's encoding of it,
 * flattened. Undefined when the writer takes objects.
 */
export function recordTextOf(
  writer: TargetWriter,
  connector: string,
): ((stream: StreamInfo, message: RecordMessage, line: number, raw: string | undefined) => string) | undefined {
  if (writer.recordsAs === "text") return (_stream, message, _line, raw) => recordText(raw, message);
  if (writer.recordsAs !== "encoded") return undefined;
  const { encodeRecord } = writer;
  if (encodeRecord === undefined) {
    throw new FatalError(ProtocolCodes.ENCODE_RECORD_MISSING, `${connector} takes records encoded (recordsAs: "encoded") but its writer has no encodeRecord`, {
      hint: "The connector's author must implement TargetWriter.encodeRecord, or take records as objects.",
    });
  }
  return (stream, message, line) => {
    try {
      return flattened(encodeRecord.call(writer, stream, message));
    } catch (error) {
      throw error instanceof AgoraError ? error.withLocation({ stream: stream.name, line }) : error;
    }
  };
}
