import { ProtocolError } from "../errors.js";
import { ProtocolCodes } from "./codes.js";
import { stringifyJson } from "../values/exact-json.js";
import type { Message, UnknownMessage } from "./types.js";

/** One message as a line of JSON, with its trailing newline. */
export function serializeMessage(message: Message | UnknownMessage): string {
  try {
    return `${stringifyJson(message)}\n`;
  } catch (error) {
    const stream = "stream" in message && typeof message.stream === "string" ? message.stream : undefined;
    throw new ProtocolError(ProtocolCodes.NOT_SERIALIZABLE, `cannot serialise a ${message.type} message as JSON`, {
      ...(stream === undefined ? {} : { where: { stream } }),
      hint: "Records may hold only JSON values (no functions, no circular references); convert them first.",
      cause: error,
    });
  }
}

export function recordMessage(stream: string, record: { [key: string]: unknown }, extra: { time_extracted?: string; version?: number } = {}): Message {
  return { type: "RECORD", stream, record, ...extra };
}

export function stateMessage(value: unknown): Message {
  return { type: "STATE", value };
}
