import type { Ajv, ValidateFunction } from "ajv";
import { DataError, ProtocolError } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";
import type { JsonSchema } from "../messages/types.js";
import { createAjv } from "./ajv-instance.js";
import { describeFirstError } from "./describe-errors.js";
import { approximateNumbers, isExactRecord } from "../values/exact-json.js";
import { fractionWhereIntegerExpected } from "./exact-integers.js";
import { compilableSchema, schemaDialect, type SchemaDialect } from "./schema-dialect.js";
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
  private readonly byDialect = new Map<SchemaDialect, Ajv>();

  /** `makeAjv` makes the ajv instance of a dialect (createAjv's, configured for schemas from the wild, by default). */
  constructor(private readonly makeAjv: (dialect: SchemaDialect) => Ajv = (dialect) => createAjv({}, dialect)) {}
  private readonly byStream = new Map<string, ValidateFunction>();
  /** Each stream's schema, for the checks of exact numbers ajv cannot make. */
  private readonly schemas = new Map<string, JsonSchema | boolean>();
  private readonly bySchemaText = new Map<string, ValidateFunction>();
  /** Schemas registered to be compiled only if a record of the stream is validated (see deferSchema). */
  private readonly deferred = new Map<string, { readonly schema: JsonSchema | boolean; readonly line: number | undefined }>();

  /** The ajv instance for a dialect, made the first time a schema of it comes. */
  private ajvFor(dialect: SchemaDialect): Ajv {
    let ajv = this.byDialect.get(dialect);
    if (ajv === undefined) {
      ajv = this.makeAjv(dialect);
      this.byDialect.set(dialect, ajv);
    }
    return ajv;
  }

  /**
   * Registers a stream's schema to be compiled when a record of it is first
   * validated, not now: for a stream whose records another process validates
   * (a runner forwarding them), so thousands of streams cost no compile here.
   * A schema ajv cannot compile is then refused at that first record.
   */
  deferSchema(stream: string, schema: JsonSchema | boolean, line?: number): void {
    this.byStream.delete(stream);
    this.deferred.set(stream, { schema, line });
  }

  /** Registers (or replaces) a stream's schema. Throws if it is not a usable JSON Schema. */
  setSchema(stream: string, schema: JsonSchema | boolean, line?: number): void {
    const text = JSON.stringify(schema);
    let validate = this.bySchemaText.get(text);
    if (validate === undefined) {
      try {
        const ajv = this.ajvFor(schemaDialect(schema));
        const usable = compilableSchema(schema);
        validate = isWideSchema(usable) ? compileWideSchema(ajv, usable) : ajv.compile(usable);
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
    this.schemas.set(stream, schema);
    // Only once compiled: a deferred schema that cannot be is refused at each record of the stream.
    this.deferred.delete(stream);
  }

  hasSchema(stream: string): boolean {
    return this.byStream.has(stream) || this.deferred.has(stream);
  }

  validate(stream: string, record: unknown, line?: number): DataError | undefined {
    const pending = this.deferred.get(stream);
    if (pending !== undefined) this.setSchema(stream, pending.schema, pending.line);
    const validate = this.byStream.get(stream);
    if (validate === undefined) return undefined;
    // An ExactNumber is an object to ajv: a record holding one is checked as the numbers it holds.
    const exact = isExactRecord(record);
    const checked = exact ? approximateNumbers(record) : record;
    if (validate(checked)) {
      const field = exact ? fractionWhereIntegerExpected(this.schemas.get(stream) ?? true, record) : undefined;
      if (field === undefined) return undefined;
      return new DataError(ProtocolCodes.RECORD_INVALID, `record field ${field} expected integer, got a number with a fraction`, {
        where: { stream, field, ...(line === undefined ? {} : { line }) },
        hint: "Fix the value at the source, or the stream's schema if the value is right.",
      });
    }
    const { field, problem } = describeFirstError(validate.errors, checked);
    return new DataError(ProtocolCodes.RECORD_INVALID, `record field ${field} ${problem}`, {
      where: { stream, field, ...(line === undefined ? {} : { line }) },
      hint: "Fix the value at the source, or the stream's schema if the value is right.",
    });
  }
}
