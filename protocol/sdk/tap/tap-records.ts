import { DataError, FatalError } from "../../errors.js";
import { ProtocolCodes } from "../../messages/codes.js";
import type { DeadLetterMessage } from "../../messages/types.js";
import { stringifyJson } from "../../values/exact-json.js";
import type { RejectedRow, TapRecord, TapStream } from "./types.js";

/* A tap's records as it writes them: JSON text, records from rows, rejected rows as dead letters. */

/** A rejected row as the DEAD_LETTER message a runner takes. */
export function deadLetter(stream: string, rejected: RejectedRow): DeadLetterMessage {
  const { error, details } = rejected;
  const location = {
    ...(error.where.file === undefined ? {} : { file: error.where.file }),
    ...(error.where.line === undefined ? {} : { line: error.where.line }),
  };
  return {
    type: "DEAD_LETTER",
    stream,
    stage: "source",
    ...(details.record === undefined ? {} : { record: details.record }),
    ...(details.raw === undefined ? {} : { raw: details.raw }),
    error: { code: error.code, message: error.message },
    ...(Object.keys(location).length === 0 ? {} : { location }),
  };
}

/**
 * A record as JSON. JSON.stringify recurses, and runs out of stack past a
 * few thousand levels of nesting: such a record is a clear data error
 * naming the stream, the record and where the source was, not a RangeError.
 */
export function serializeRecord(record: TapRecord, stream: string, number: number, bookmark: unknown): string {
  try {
    return stringifyJson(record);
  } catch (error) {
    throw tooDeep(error, stream, number, bookmark);
  }
}

/** The error to throw when writing record `number` as JSON failed: a RangeError (the stack) is a record nested too deeply. */
export function tooDeep(error: unknown, stream: string, number: number, bookmark: unknown): unknown {
  if (!(error instanceof RangeError)) return error;
  const at = bookmark === undefined ? "" : ` (at ${JSON.stringify(bookmark)})`;
  return new DataError(ProtocolCodes.RECORD_TOO_DEEP, `record ${number} of the stream is nested too deeply to write as JSON${at}`, {
    where: { stream },
    hint: "JSON writers stop a few thousand levels deep: flatten that data at the source, or leave the record out.",
  });
}

/** A row's values as a record (no prototype: a column named __proto__ is data); the last of a column named twice wins, as in an object. */
export function rowRecord(columns: readonly string[], row: ReadonlyArray<unknown>): TapRecord {
  const record = Object.create(null) as TapRecord;
  columns.forEach((name, index) => {
    record[name] = row[index];
  });
  return record;
}

/** A stream that yields RowBatches must name its columns. */
export function columnsOf(stream: Pick<TapStream, "name" | "columns">): readonly string[] {
  if (stream.columns !== undefined) return stream.columns;
  throw new FatalError(ProtocolCodes.TAP_ROWS_WITHOUT_COLUMNS, `stream ${stream.name} yields a RowBatch but declares no columns`, {
    hint: "Set `columns` on the stream: the names of the values in each row, in order.",
  });
}
