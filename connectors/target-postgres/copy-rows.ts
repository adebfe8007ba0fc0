import type { RecordMessage } from "../../protocol/index.js";
import type { ColumnKind } from "./column-types.js";

/*
 * A value as a field of COPY's text format: null (or missing) is `\N`;
 * backslash, tab, newline and carriage return are escaped, so every record
 * is one line and Postgres's "line N" names it. A value the column's type
 * cannot take (a string in a bigint column) is written as it is, and
 * Postgres names the row and column that refused it.
 */

/** A value of a column of its own type (bigint, numeric, boolean, text, dates) as its own text. */
function textField(value: unknown): string {
  switch (typeof value) {
    case "string":
      return escapeCopy(value);
    case "number":
    case "boolean":
      return String(value);
    case "undefined":
      return "\\N";
    default:
      return value === null ? "\\N" : jsonField(value);
  }
}

/**
 * A value of a jsonb column as JSON text. JSON.stringify writes tabs, line
 * breaks and carriage returns as escapes, so of COPY's special characters
 * only the backslash can occur in its output: one indexOf tells.
 */
function jsonField(value: unknown): string {
  if (value === undefined || value === null) return "\\N";
  const text = JSON.stringify(value);
  return text.includes("\\") ? text.replaceAll("\\", "\\\\") : text;
}

function escapeCopy(text: string): string {
  return ESCAPES.test(text) ? text.replace(ESCAPES_ALL, (character) => ESCAPED[character] as string) : text;
}

const ESCAPES = /[\\\t\n\r]/;
const ESCAPES_ALL = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

export interface CopyRowsOptions {
  readonly columns: readonly string[];
  readonly kinds: readonly ColumnKind[];
  /** The stream has no properties: the one column is the whole record as JSON. */
  readonly wholeRecord: boolean;
  /** A table version column follows the columns. */
  readonly versioned: boolean;
}

/** A record's fields as one COPY line, without the line's end. */
type RowFields = (record: Readonly<Record<string, unknown>>) => string;

/** Rows gathered into one string for COPY before it is written. */
const ROWS_PER_CHUNK = 500;

/**
 * Compiles, once per stream, the function that writes a record's columns as
 * COPY fields: each column read by its literal name (one hidden class, no
 * lookup by a name held in a variable), then its field encoder. A name that
 * is also a property of Object.prototype (`constructor`, `__proto__`) is read
 * as the record's own property only. Names enter the code as JSON string
 * literals, so no name can break out of them.
 */
function compileRowFields(columns: readonly string[], kinds: readonly ColumnKind[]): RowFields {
  const steps = columns.map((name, column) => {
    const literal = JSON.stringify(name);
    const read = name in Object.prototype ? `(Object.hasOwn(record, ${literal}) ? record[${literal}] : undefined)` : `record[${literal}]`;
    const encode = (kinds[column] as ColumnKind).encoding === "json" ? "jsonField" : "textField";
    return column === 0 ? `let line = ${encode}(${read});` : `line += "\\t" + ${encode}(${read});`;
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiled from JSON string literals only (see above)
  const make = new Function("textField", "jsonField", `return function rowFields(record) { ${steps.join(" ")} return line; };`) as (text: typeof textField, json: typeof jsonField) => RowFields;
  return make(textField, jsonField);
}

/** Encodes a stream's records as COPY text, with the row function compiled once per stream. */
export class CopyRowEncoder {
  private readonly rowFields: RowFields;

  constructor(private readonly options: CopyRowsOptions) {
    this.rowFields = options.wholeRecord ? (record) => jsonField(record) : compileRowFields(options.columns, options.kinds);
  }

  /**
   * The COPY text of the records at `indexes`, in strings of a few hundred
   * rows each: line n of it is the record `indexes[n - 1]`. With `sequence`,
   * a last field numbers the records in arrival order (the staging table's).
   */
  *chunks(records: readonly RecordMessage[], indexes: readonly number[], sequence: boolean): Generator<string> {
    const { versioned } = this.options;
    const rowFields = this.rowFields;
    const rows: string[] = [];
    for (const index of indexes) {
      const message = records[index] as RecordMessage;
      let line = rowFields(message.record);
      if (versioned) line += message.version === undefined ? "\t\\N" : `\t${message.version}`;
      if (sequence) line += `\t${index}`;
      rows.push(`${line}\n`);
      if (rows.length === ROWS_PER_CHUNK) {
        yield rows.join("");
        rows.length = 0;
      }
    }
    if (rows.length > 0) yield rows.join("");
  }
}
