import type { Ajv } from "ajv";
import { DataError, ProtocolError } from "../errors.js";
import { ProtocolCodes } from "../messages/codes.js";
import type { JsonSchema } from "../messages/types.js";
import { createAjv } from "./ajv-instance.js";
import { describeFirstError } from "./describe-errors.js";
import { approximateNumbers, isExactRecord } from "../values/exact-json.js";
import { fractionWhereIntegerExpected } from "./exact-integers.js";
import { compilableSchema, schemaDialect, type SchemaDialect } from "./schema-dialect.js";
import { PartValidators } from "./piecewise-schema.js";
import { SchemaCheck } from "./schema-check.js";

/** A stream's check as of its latest SCHEMA: held per stream by a caller that validates many of its records (validateWith), instead of a look-up by name at each. */
export interface StreamCheck {
  readonly stream: string;
  readonly check: SchemaCheck;
  /** The stream's schema, for the checks of exact numbers ajv cannot make. */
  readonly schema: JsonSchema | boolean;
}

/**
 * Validates RECORDs against their stream's SCHEMA.
 *
 * Each distinct schema is made into a check once (taps often repeat the
 * same SCHEMA; the check is reused by its JSON text), and object schemas
 * share their parts' compiled validators until a schema has seen enough
 * records to be worth compiling whole (see SchemaCheck). `validate` returns
 * undefined for a good record and a DataError naming the stream, line and
 * field otherwise: it never throws on the hot path, so the caller decides
 * whether to fail, skip or dead-letter.
 */
export class RecordValidator {
  private readonly byDialect = new Map<SchemaDialect, { readonly ajv: Ajv; readonly parts: PartValidators }>();

  /** `makeAjv` makes the ajv instance of a dialect (createAjv's, configured for schemas from the wild, by default). */
  constructor(private readonly makeAjv: (dialect: SchemaDialect) => Ajv = (dialect) => createAjv({}, dialect)) {}
  private readonly byStream = new Map<string, StreamCheck>();
  private readonly bySchemaText = new Map<string, SchemaCheck>();
  /** Schemas registered to be compiled only if a record of the stream is validated (see deferSchema). */
  private readonly deferred = new Map<string, { readonly schema: JsonSchema | boolean; readonly line: number | undefined }>();

  /** The ajv instance for a dialect and its shared parts, made the first time a schema of it comes. */
  private compilerFor(dialect: SchemaDialect): { readonly ajv: Ajv; readonly parts: PartValidators } {
    let compiler = this.byDialect.get(dialect);
    if (compiler === undefined) {
      const ajv = this.makeAjv(dialect);
      compiler = { ajv, parts: new PartValidators(ajv) };
      this.byDialect.set(dialect, compiler);
    }
    return compiler;
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
    let check = this.bySchemaText.get(text);
    if (check === undefined) {
      try {
        const { ajv, parts } = this.compilerFor(schemaDialect(schema));
        check = new SchemaCheck(ajv, parts, compilableSchema(schema));
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
      this.bySchemaText.set(text, check);
    }
    this.byStream.set(stream, { stream, check, schema });
    // Only once compiled: a deferred schema that cannot be is refused at each record of the stream.
    this.deferred.delete(stream);
  }

  hasSchema(stream: string): boolean {
    return this.byStream.has(stream) || this.deferred.has(stream);
  }

  /** The stream's check as of its latest SCHEMA (compiled now if it was deferred); undefined for a stream without one. */
  checkOf(stream: string): StreamCheck | undefined {
    const pending = this.deferred.get(stream);
    if (pending !== undefined) this.setSchema(stream, pending.schema, pending.line);
    return this.byStream.get(stream);
  }

  validate(stream: string, record: unknown, line?: number): DataError | undefined {
    const check = this.checkOf(stream);
    return check === undefined ? undefined : this.validateWith(check, record, line);
  }

  /** validate, with the stream's check in hand (checkOf): valid while no newer SCHEMA of the stream was set. */
  validateWith({ stream, check, schema }: StreamCheck, record: unknown, line?: number): DataError | undefined {
    // An ExactNumber is an object to ajv: a record holding one is checked as the numbers it holds.
    const exact = isExactRecord(record);
    const checked = exact ? approximateNumbers(record) : record;
    if (check.test(checked)) {
      const field = exact ? fractionWhereIntegerExpected(schema, record) : undefined;
      if (field === undefined) return undefined;
      return new DataError(ProtocolCodes.RECORD_INVALID, `record field ${field} expected integer, got a number with a fraction`, {
        where: { stream, field, ...(line === undefined ? {} : { line }) },
        hint: "Fix the value at the source, or the stream's schema if the value is right.",
      });
    }
    const { field, problem } = describeFirstError(check.errors, checked);
    return new DataError(ProtocolCodes.RECORD_INVALID, `record field ${field} ${problem}`, {
      where: { stream, field, ...(line === undefined ? {} : { line }) },
      hint: "Fix the value at the source, or the stream's schema if the value is right.",
    });
  }
}
