/** The Singer messages, typed by their literal `type`. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A JSON Schema as Singer taps send it (draft 4 to 7 keywords, plus extras such as `inclusion`). */
export type JsonSchema = { [key: string]: unknown };

export interface SchemaMessage {
  readonly type: "SCHEMA";
  readonly stream: string;
  readonly schema: JsonSchema;
  readonly key_properties: readonly string[];
  readonly bookmark_properties?: readonly string[];
}

export interface RecordMessage {
  readonly type: "RECORD";
  readonly stream: string;
  readonly record: { [key: string]: unknown };
  readonly time_extracted?: string;
  readonly version?: number;
}

export interface StateMessage {
  readonly type: "STATE";
  readonly value: unknown;
}

export interface ActivateVersionMessage {
  readonly type: "ACTIVATE_VERSION";
  readonly stream: string;
  readonly version: number;
}

/** The SDK extension: records shipped as files instead of lines. */
export interface BatchMessage {
  readonly type: "BATCH";
  readonly stream: string;
  readonly encoding: { readonly format: string; readonly compression?: string };
  readonly manifest: readonly string[];
}

export type Message = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage | BatchMessage;
export type MessageType = Message["type"];

export const MESSAGE_TYPES: readonly MessageType[] = ["SCHEMA", "RECORD", "STATE", "ACTIVATE_VERSION", "BATCH"];

/** A message of a type this version does not know. Passed through untouched, ignored by targets. */
export interface UnknownMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** One line read from a stream of messages. `raw` is the line as received, without its newline. */
export type MessageLine =
  | { readonly known: true; readonly message: Message; readonly line: number; readonly raw: string }
  | { readonly known: false; readonly message: UnknownMessage; readonly line: number; readonly raw: string };
