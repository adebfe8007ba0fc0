import { DataError } from "../../errors.js";
import type { StreamInfo } from "./types.js";
import { ProtocolCodes } from "../../messages/codes.js";

/**
 * The error of a record that lacks a value for one of its stream's key
 * properties (missing, or null): every target refuses it alike, since a
 * keyless row cannot be upserted or told apart later. Undefined when every
 * key has a value.
 */
export function missingKey(stream: StreamInfo, record: Readonly<Record<string, unknown>>, line: number): DataError | undefined {
  for (const key of stream.keyProperties) {
    // Own properties only: a key named constructor is the record's, never Object.prototype's.
    if (Object.hasOwn(record, key) && record[key] !== null && record[key] !== undefined) continue;
    return new DataError(ProtocolCodes.KEY_IS_NULL, `key property ${key} is null or missing`, {
      where: { stream: stream.name, line, field: key },
      hint: "Every record needs a value for each key property of its stream.",
    });
  }
  return undefined;
}
