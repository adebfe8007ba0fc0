import { exactRecord, markExactRecord, NumberPlaces, RecordValidator, type JsonSchema, type DataError, type RecordMessage } from "../../protocol/index.js";

/**
 * A data path's validation: each stream's SCHEMA as the tap sent it
 * (records checked as they come in, when the pipeline validates), where its
 * numbers may lie (so a record is read exactly only where it must be), and,
 * for a replay's repair, the SCHEMA the middleware made (records checked as
 * they leave).
 */
export class RecordChecks {
  private readonly input = new RecordValidator();
  /** Where each stream's records may hold numbers, for records validated here (see NumberPlaces). */
  private readonly numberPlaces = new Map<string, NumberPlaces>();
  private readonly output: RecordValidator | undefined;

  constructor(
    private readonly validate: boolean,
    /** Validate what the middleware made, against the schema it made (a replay, so a repairing step can make a record valid). */
    checkOutput: boolean,
  ) {
    this.output = checkOutput ? new RecordValidator() : undefined;
  }

  /** The validator of the tap's SCHEMAs, for the batch lane's first-row check; undefined when the pipeline does not validate. */
  get inputValidator(): RecordValidator | undefined {
    return this.validate ? this.input : undefined;
  }

  /** True when records are checked as they leave the middleware. */
  get checksOutput(): boolean {
    return this.output !== undefined;
  }

  /** The tap's SCHEMA of a stream; `deferred`: compiled only if one of its records is validated here (its records are likely forwarded). */
  setSchema(stream: string, schema: JsonSchema, line: number, deferred = false): void {
    if (!this.validate) return;
    if (deferred) this.input.deferSchema(stream, schema, line);
    else this.input.setSchema(stream, schema, line);
    this.numberPlaces.set(stream, new NumberPlaces(schema));
  }

  /** The SCHEMA the middleware made of a stream, under the name targets know it by. */
  setOutputSchema(name: string, schema: JsonSchema, line: number): void {
    this.output?.setSchema(name, schema, line);
  }

  /**
   * A RECORD's record as validation and the middleware see it: every number
   * as the line wrote it. `passedOn`: neither looks at it, and the tap's line
   * goes on as it is.
   */
  entering(message: RecordMessage, raw: string, line: number, passedOn: boolean): RecordMessage["record"] {
    if (this.validate) return exactRecord(message, raw, line, this.numberPlaces.get(message.stream));
    return passedOn ? message.record : exactRecord(message, raw, line);
  }

  /** Why a record does not fit its stream's SCHEMA, if it does not; `whole`: the record read exactly in full, for its dead letter. */
  checkInput(
    message: RecordMessage,
    record: RecordMessage["record"],
    raw: string,
    line: number,
  ): { failure: DataError; whole: RecordMessage["record"] } | undefined {
    if (!this.validate) return undefined;
    const failure = this.input.validate(message.stream, record, line);
    if (failure === undefined) return undefined;
    // Made exact for a record that validates (NumberPlaces): a failed one is read whole again.
    return { failure, whole: record === message.record ? exactRecord(message, raw, line) : record };
  }

  /** Why what the middleware made does not fit the SCHEMA it made, when records are checked as they leave. */
  checkOutput(name: string, record: RecordMessage["record"], line: number): DataError | undefined {
    if (this.output === undefined) return undefined;
    // What a step made may hold exact numbers (a coerce of a 20-digit text): marked, so they are checked by value.
    markExactRecord(record);
    return this.output.validate(name, record, line);
  }
}
