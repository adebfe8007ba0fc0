/** Error codes of the protocol layer. Stable: decisions and tests read these, never message text. */
export const ProtocolCodes = {
  INVALID_JSON: "INVALID_JSON",
  NOT_AN_OBJECT: "NOT_AN_OBJECT",
  MISSING_TYPE: "MISSING_TYPE",
  INVALID_MESSAGE: "INVALID_MESSAGE",
  RECORD_BEFORE_SCHEMA: "RECORD_BEFORE_SCHEMA",
  LINE_TOO_LONG: "LINE_TOO_LONG",
  INVALID_SCHEMA: "INVALID_SCHEMA",
  RECORD_INVALID: "RECORD_INVALID",
  NOT_SERIALIZABLE: "NOT_SERIALIZABLE",
  OUTPUT_CLOSED: "OUTPUT_CLOSED",
} as const;

export type ProtocolCode = (typeof ProtocolCodes)[keyof typeof ProtocolCodes];
