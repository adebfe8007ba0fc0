/** The Singer messages, typed by their literal `type`. */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

import type { JsonSchema } from "../../catalogs/schema-types.js";

export type { JsonSchema };

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

/** Where in the pipeline a record was rejected: the source, validation, a middleware, or a target's write. */
export const DEAD_LETTER_STAGES = ["source", "validate", "middleware", "sink_write"] as const;
export type DeadLetterStage = (typeof DEAD_LETTER_STAGES)[number];

/**
 * Agora's extension: one record (or one unparseable row) rejected without
 * stopping the run. A tap writes it for a bad source row; a target writes it
 * on stdout for a record it could not store. The runner routes it to the
 * dead-letter queue; plain Singer targets ignore it as an unknown type.
 */
export interface DeadLetterMessage {
  readonly type: "DEAD_LETTER";
  readonly stream: string;
  readonly stage: DeadLetterStage;
  /** The record as parsed, when there is one. */
  readonly record?: { [key: string]: unknown };
  /** The raw source text, when the row could not be parsed. */
  readonly raw?: string;
  readonly error: { readonly code: string; readonly message: string };
  /** Where the row came from: a source file and line, or the target's input line. */
  readonly location?: { readonly file?: string; readonly line?: number };
}

export type Message = SchemaMessage | RecordMessage | StateMessage | ActivateVersionMessage | BatchMessage | DeadLetterMessage;
export type MessageType = Message["type"];

export const MESSAGE_TYPES: readonly MessageType[] = ["SCHEMA", "RECORD", "STATE", "ACTIVATE_VERSION", "BATCH", "DEAD_LETTER"];

/** A message of a type this version does not know. Passed through untouched, ignored by targets. */
export interface UnknownMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * One line read from a stream of messages. `raw` is the line as received, without its newline
 * (re-serialized only when a known type arrived in another case, such as `record`).
 */
export type MessageLine =
  | {
      readonly known: true;
      readonly message: Message;
      readonly line: number;
      readonly raw: string;
      /**
       * A RECORD the reader was told to forward (MessageParserOptions.forward): only its type and
       * stream were read from the line's head; its record is parsed only if something asks for it.
       */
      readonly forwarded?: boolean;
    }
  | { readonly known: false; readonly message: UnknownMessage; readonly line: number; readonly raw: string };
