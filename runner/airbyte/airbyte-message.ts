import { parseJson } from "../../protocol/index.js";

/**
 * The Airbyte protocol's messages, as far as Agora reads them (v0.x: one
 * JSON object a line; `type` says which member holds the message). A line
 * that is not such an object is, by the protocol's rule, a log line.
 */

/** Which stream: its name, and its namespace when it has one. */
export interface StreamDescriptor {
  readonly name: string;
  readonly namespace?: string | undefined;
}

/** One Airbyte message: its `type` and the rest of its members, numbers kept as written. */
export type AirbyteMessage = { readonly type: string } & Readonly<Record<string, unknown>>;

/** The message types of the protocol. */
export const AIRBYTE_TYPES = new Set(["RECORD", "STATE", "LOG", "SPEC", "CONNECTION_STATUS", "CATALOG", "TRACE", "CONTROL", "DESTINATION_CATALOG"]);

/** The line as an Airbyte message, or undefined for anything else (a log line, by the protocol's rule). */
export function readAirbyteLine(text: string): AirbyteMessage | undefined {
  const start = text.trimStart();
  if (!start.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = parseJson(text);
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value["type"] !== "string" || !AIRBYTE_TYPES.has(value["type"])) return undefined;
  return value as AirbyteMessage;
}

/** The descriptor of an object that names a stream (`name` and maybe `namespace`), or undefined when it names none. */
export function descriptorOf(value: unknown): StreamDescriptor | undefined {
  if (!isObject(value) || typeof value["name"] !== "string") return undefined;
  const namespace = value["namespace"];
  return typeof namespace === "string" ? { name: value["name"], namespace } : { name: value["name"] };
}

/** A key that tells descriptors apart (a namespace of "" and none are different streams). */
export function descriptorKey(descriptor: StreamDescriptor): string {
  return JSON.stringify([descriptor.namespace ?? null, descriptor.name]);
}

/** `namespace.name`, or the name: how a stream is named in messages to people. */
export function describeDescriptor(descriptor: StreamDescriptor): string {
  return descriptor.namespace === undefined ? descriptor.name : `${descriptor.namespace}.${descriptor.name}`;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The first message of `type` in a command's output, or undefined. */
export function firstMessageOf(stdout: string, type: string): AirbyteMessage | undefined {
  for (const line of stdout.split("\n")) {
    const message = readAirbyteLine(line);
    if (message?.type === type) return message;
  }
  return undefined;
}
