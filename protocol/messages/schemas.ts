/**
 * A JSON Schema (draft-07) for each message. They document the wire format
 * and back the conformance checks; the hot-path parser checks the same rules
 * by hand (see parse.ts), and a test keeps the two in agreement.
 */
import { DEAD_LETTER_STAGES } from "./types.js";
import type { JsonSchema, MessageType } from "./types.js";

const streamName = { type: "string", minLength: 1 } as const;
const stringList = { type: "array", items: { type: "string" } } as const;

export const MESSAGE_SCHEMAS: Readonly<Record<MessageType, JsonSchema>> = {
  SCHEMA: {
    type: "object",
    required: ["type", "stream", "schema"],
    properties: {
      type: { const: "SCHEMA" },
      stream: streamName,
      schema: { type: ["object", "boolean"] },
      key_properties: stringList,
      bookmark_properties: stringList,
    },
  },
  RECORD: {
    type: "object",
    required: ["type", "stream", "record"],
    properties: {
      type: { const: "RECORD" },
      stream: streamName,
      record: { type: "object" },
      time_extracted: { type: "string" },
      version: { type: "number" },
    },
  },
  STATE: {
    type: "object",
    required: ["type", "value"],
    properties: { type: { const: "STATE" }, value: {} },
  },
  ACTIVATE_VERSION: {
    type: "object",
    required: ["type", "stream", "version"],
    properties: { type: { const: "ACTIVATE_VERSION" }, stream: streamName, version: { type: "number" } },
  },
  BATCH: {
    type: "object",
    required: ["type", "stream", "encoding", "manifest"],
    properties: {
      type: { const: "BATCH" },
      stream: streamName,
      encoding: {
        type: "object",
        required: ["format"],
        properties: {
          format: { type: "string", minLength: 1 },
          compression: { type: "string" },
        },
      },
      manifest: { type: "array", items: { type: "string", minLength: 1 } },
    },
  },
  DEAD_LETTER: {
    type: "object",
    required: ["type", "stream", "stage", "error"],
    properties: {
      type: { const: "DEAD_LETTER" },
      stream: streamName,
      stage: { enum: [...DEAD_LETTER_STAGES] },
      record: { type: "object" },
      raw: { type: "string" },
      error: {
        type: "object",
        required: ["code", "message"],
        properties: { code: { type: "string" }, message: { type: "string" } },
      },
      location: { type: "object", properties: { file: { type: "string" }, line: { type: "integer" } } },
    },
  },
};
