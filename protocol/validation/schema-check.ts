import type { Ajv, ErrorObject, ValidateFunction } from "ajv";
import type { JsonSchema } from "../messages/types.js";
import { isWide, type PartValidators, splitObjectSchema } from "./piecewise-schema.js";

/**
 * Records a schema is checked piece by piece before it is compiled whole.
 * Measured on a 4-column schema: a whole compile costs 0.3-0.6 ms, and
 * saves about 100 ns a record once hot; below a few thousand records the
 * compile does not pay for itself, and a tap with 2,000 tables of 100
 * records each pays it 2,000 times for nothing.
 */
export const WHOLE_AFTER_RECORDS = 5_000;

/**
 * One schema's validation, in two tiers: an object schema starts as its
 * parts' shared validators (see PartValidators: next to nothing to make),
 * and is compiled as one ajv function once it has checked
 * WHOLE_AFTER_RECORDS records, or at its first invalid record, so an error
 * always reads as ajv's own for the whole schema. A schema that cannot be
 * cut into parts is compiled whole at once; a wide one is never compiled
 * whole (see WIDE_SCHEMA_PROPERTIES).
 */
export class SchemaCheck {
  /** Why the last record checked was invalid (ajv's errors), null after a valid one. */
  errors: ErrorObject[] | null = null;
  private current: ValidateFunction;
  private untilWhole: number;

  /** Makes the check of `schema` (already compilable), throwing what ajv throws for a schema it cannot compile. */
  constructor(
    private readonly ajv: Ajv,
    parts: PartValidators,
    private readonly schema: JsonSchema | boolean,
  ) {
    const split = splitObjectSchema(schema);
    if (split === undefined) {
      this.current = ajv.compile(schema);
      this.untilWhole = 0;
    } else {
      this.current = parts.piecewise(split);
      this.untilWhole = isWide(split) ? Number.POSITIVE_INFINITY : WHOLE_AFTER_RECORDS;
    }
  }

  /** True when `data` is valid; otherwise `errors` says why. */
  test(data: unknown): boolean {
    if (this.untilWhole > 0 && --this.untilWhole === 0) this.compileWhole();
    if (this.current(data)) {
      this.errors = null;
      return true;
    }
    if (this.untilWhole > 0 && this.untilWhole !== Number.POSITIVE_INFINITY) {
      // The first invalid record: from now on the whole schema's function, whose errors are ajv's own.
      this.compileWhole();
      if (this.current(data)) {
        this.errors = null;
        return true;
      }
    }
    this.errors = this.current.errors ?? null;
    return false;
  }

  /** Moves to the whole schema's one function; if ajv cannot make it (its parts it could), the parts stay, with the same verdicts. */
  private compileWhole(): void {
    try {
      this.current = this.ajv.compile(this.schema);
      this.untilWhole = 0;
    } catch {
      this.untilWhole = Number.POSITIVE_INFINITY;
    }
  }
}
