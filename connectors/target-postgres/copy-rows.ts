import { isExactNumber, stringifyJson, type RecordMessage } from "../../protocol/index.js";
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
      // A number a double cannot hold goes as the tap wrote it: numeric keeps every digit, bigint refuses what it cannot hold.
      if (isExactNumber(value)) return value.text;
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
  const text = stringifyJson(value);
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
  /** A table version field (the RECORD's `version`) follows the columns. */
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
  const make = new Function("textField", "jsonField", `return function rowFields(record) { ${steps.join(" ")} return line; };`) as (
    text: typeof textField,
    json: typeof jsonField,
  ) => RowFields;
  return make(textField, jsonField);
}

/**
 * Encodes a stream's records as lines of COPY text, with the row function
 * compiled once per stream. A record is encoded as it arrives (the target
 * takes records encoded), so a batch holds lines, not objects.
 */
export class CopyRowEncoder {
  private readonly rowFields: RowFields;

  constructor(private readonly options: CopyRowsOptions) {
    this.rowFields = options.wholeRecord ? (record) => jsonField(record) : compileRowFields(options.columns, options.kinds);
  }

  /** The record's COPY line, its end included. */
  line(message: RecordMessage): string {
    const fields = this.rowFields(message.record);
    if (!this.options.versioned) return `${fields}\n`;
    return message.version === undefined ? `${fields}\t\\N\n` : `${fields}\t${message.version}\n`;
  }
}

/**
 * The COPY text of the lines at `indexes`, in strings of a few hundred rows
 * each: line n of the COPY is then `lines[indexes[n - 1]]`, so Postgres's
 * "line n" names a record.
 */
export function* copyChunks(lines: readonly string[], indexes: readonly number[]): Generator<string> {
  for (let start = 0; start < indexes.length; start += ROWS_PER_CHUNK) {
    yield indexes
      .slice(start, start + ROWS_PER_CHUNK)
      .map((index) => lines[index] as string)
      .join("");
  }
}

/** A COPY line's fields, split on its tabs (a tab inside a value is escaped, so every tab separates). */
function copyFields(line: string): string[] {
  return line.replace(/\n$/, "").split("\t");
}

/**
 * The first of `columns` whose field in a COPY line holds a NUL character,
 * which Postgres text cannot store: as itself in a text field, as the escape
 * \u0000 (its backslash doubled for COPY) in a JSON one.
 */
export function columnWithNul(row: string, columns: readonly string[]): string | undefined {
  const fields = copyFields(row);
  const column = columns.findIndex((_, index) => {
    const field = fields[index] ?? "";
    return field.includes("\u0000") || field.includes("\\\\u0000");
  });
  return column === -1 ? undefined : columns[column];
}

/**
 * The line with a version field of `\N` added when it has one field per
 * column and no more: a line encoded before its stream's first versioned
 * record, written once the table has a version column.
 */
export function withVersionField(line: string, columns: number): string {
  let tabs = 0;
  for (let at = line.indexOf("\t"); at !== -1; at = line.indexOf("\t", at + 1)) tabs += 1;
  return tabs + 1 === columns ? `${line.slice(0, -1)}\t\\N\n` : line;
}
