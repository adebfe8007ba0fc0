import type { Ajv, ValidateFunction } from "ajv";
import { DataError, ProtocolError } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";
import type { JsonSchema } from "../messages/types.js";
import { createAjv } from "./ajv-instance.js";
import { describeFirstError } from "./describe-errors.js";
import { approximateNumbers, isExactRecord } from "../values/exact-json.js";
import { compileWideSchema, isWideSchema } from "./wide-schema.js";

/**
 * Validates RECORDs against their stream's SCHEMA.
 *
 * Each distinct schema is compiled once (taps often repeat the same SCHEMA;
 * the compiled function is reused by its JSON text). `validate` returns
 * undefined for a good record and a DataError naming the stream, line and
 * field otherwise: it never throws on the hot path, so the caller decides
 * whether to fail, skip or dead-letter.
 */
export class RecordValidator {
  private readonly ajv: Ajv;
  private readonly byStream = new Map<string, ValidateFunction>();
  private readonly bySchemaText = new Map<string, ValidateFunction>();

  constructor(ajv: Ajv = createAjv()) {
    this.ajv = ajv;
  }

  /** Registers (or replaces) a stream's schema. Throws if it is not a usable JSON Schema. */
  setSchema(stream: string, schema: JsonSchema | boolean, line?: number): void {
    const text = JSON.stringify(schema);
    let validate = this.bySchemaText.get(text);
    if (validate === undefined) {
      try {
        const usable = typeof schema === "boolean" ? schema : withoutId(schema);
        validate = isWideSchema(usable) ? compileWideSchema(this.ajv, usable) : this.ajv.compile(usable);
      } catch (error) {
        throw new ProtocolError(
          ProtocolCodes.INVALID_SCHEMA,
          `the SCHEMA is not a usable JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
          {
            where: { stream, ...(line === undefined ? {} : { line }) },
            hint: "Fix the schema the tap sends for this stream.",
            cause: error,
          },
        );
      }
      this.bySchemaText.set(text, validate);
    }
    this.byStream.set(stream, validate);
  }

  hasSchema(stream: string): boolean {
    return this.byStream.has(stream);
  }

  validate(stream: string, record: unknown, line?: number): DataError | undefined {
    const validate = this.byStream.get(stream);
    if (validate === undefined) return undefined;
    // An ExactNumber is an object to ajv: a record holding one is checked as the numbers it holds.
    const checked = isExactRecord(record) ? approximateNumbers(record) : record;
    if (validate(checked)) return undefined;
    const { field, problem } = describeFirstError(validate.errors, checked);
    return new DataError(ProtocolCodes.RECORD_INVALID, `record field ${field} ${problem}`, {
      where: { stream, field, ...(line === undefined ? {} : { line }) },
      hint: "Fix the value at the source, or the stream's schema if the value is right.",
    });
  }
}

/** Schemas from different taps may share an `$id`; ajv refuses duplicates, and we never resolve by id. */
function withoutId(schema: JsonSchema): JsonSchema {
  if (!("$id" in schema) && !("id" in schema)) return schema;
  const { $id: _ignoredId, id: _ignoredLegacyId, ...rest } = schema;
  return rest;
}
