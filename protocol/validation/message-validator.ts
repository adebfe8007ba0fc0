import type { Ajv, ValidateFunction } from "ajv";
import { MESSAGE_SCHEMAS } from "../messages/schemas.js";
import type { MessageType } from "../messages/types.js";
import { createAjv } from "./ajv-instance.js";

/** Validates a message object against the JSON Schema of its type (see MESSAGE_SCHEMAS). */
export function createMessageSchemaValidator(ajv: Ajv = createAjv()): (message: { type: string }) => boolean {
  const compiled = new Map<string, ValidateFunction>();
  for (const [type, schema] of Object.entries(MESSAGE_SCHEMAS)) compiled.set(type, ajv.compile(schema));
  return (message) => {
    const validate = compiled.get(message.type as MessageType);
    return validate === undefined ? true : Boolean(validate(message));
  };
}
