/**
 * A streaming CSV parser for decoded text, tuned for tap-csv's hot path.
 *
 * It reads what csv-parse reads with tap-csv's options (relaxed quotes,
 * ragged rows, empty lines skipped) and gives the same cells, at about
 * four times the speed: a row without the quote character is cut with
 * `indexOf` and `slice`, with no per-character loop and no buffer copies.
 * Rows that hold quotes go through a small state machine. The equivalence
 * is a property test against csv-parse (test/connectors/tap-csv/csv-parser.test.ts);
 * the figures are in bench/RESULTS.md.
 *
 * The rules, as csv-parse applies them with `relax_quotes`:
 * - a field that starts with the quote character is quoted: a doubled quote
 *   inside is one quote, delimiters and line breaks inside are text;
 * - a quote elsewhere in a field is text;
 * - a closing quote followed by something other than a delimiter or the end
 *   of the row makes the field text, quotes included, up to the next delimiter;
 * - rows end at "\n" (a "\r" before it is dropped), or at "\r" in a file
 *   with no "\n" in its first 64 Ki characters; empty rows are skipped.
 */

/** One row: its cells and the lines (1-based) it starts and ends on. */
export interface ParsedRow {
  readonly ok: true;
  readonly cells: string[];
  /** The indexes of cells written as a quoted empty field (`""`), when there are any: an empty cell that was meant as text. */
  readonly quotedEmpty?: readonly number[];
  readonly line: number;
  readonly lastLine: number;
}

/** A row that could not be read (a quoted field still open at the end of the file), and why. */
export interface UnreadableRow {
  readonly ok: false;
  readonly reason: string;
  readonly line: number;
  readonly raw: string;
  readonly code: string;
}

/** What the parser gives for each row, in file order. */
export type CsvRow = ParsedRow | UnreadableRow;

export interface CsvSyntax {
  /** One character. */
  readonly delimiter: string;
  /** One character. */
  readonly quote: string;
}

/** Rows longer than this are refused: an unclosed quote would otherwise hold the whole file in memory. */
export const MAX_ROW_CHARS = 64 * 1024 * 1024;

export class CsvRowTooLongError extends Error {
  constructor(readonly line: number) {
    super(`the row starting on line ${line} is longer than ${MAX_ROW_CHARS / 1024 / 1024} Mi characters (a quoted field that is never closed?)`);
  }
}

const LF = 10;
const CR = 13;

export class CsvParser {
  private readonly delimiter: string;
  private readonly quote: string;
  private readonly quoteCode: number;
  private readonly delimiterCode: number;
  /** Text not yet parsed: the start of a row whose end has not arrived. */
  private pending = "";
  /** The line the pending text starts on. */
  private line = 1;
  /** The row separator: "\n" (with "\r\n" accepted) or "\r"; undefined until the first line break. */
  private eol: number | undefined;

  constructor(syntax: CsvSyntax) {
    this.delimiter = syntax.delimiter;
    this.quote = syntax.quote;
    this.delimiterCode = syntax.delimiter.charCodeAt(0);
    this.quoteCode = syntax.quote.charCodeAt(0);
  }

  /** Parses the next piece of text; complete rows go to `rows`, the unfinished end waits for more. */
  push(chunk: string, rows: CsvRow[]): void {
    const text = this.pending === "" ? chunk : this.pending + chunk;
    this.parse(text, false, rows);
  }

  /** Parses whatever is left: the last row needs no line break. */
  end(rows: CsvRow[]): void {
    const text = this.pending;
    this.pending = "";
    if (text !== "") this.parse(text, true, rows);
  }

  /**
   * Decides the row separator: "\n" as soon as one is seen; "\r" for text
   * with carriage returns and no "\n" in its first 64 Ki characters (an old
   * Mac file). Returns false while that cannot be told yet.
   */
  private detectEol(text: string, final: boolean): boolean {
    if (text.includes("\n")) {
      this.eol = LF;
      return true;
    }
    if (!final && text.length < 64 * 1024) return false;
    if (text.includes("\r")) this.eol = CR;
    return this.eol !== undefined || final;
  }

  private parse(text: string, final: boolean, rows: CsvRow[]): void {
    if (this.eol === undefined && !this.detectEol(text, final)) {
      this.keep(text, 0);
      return;
    }
    const eol = this.eol ?? LF;
    const eolChar = String.fromCharCode(eol);
    const length = text.length;
    let position = 0;
    // Next occurrences, kept across rows so that each is searched for once: linear in the text.
    let nextQuote = -2;
    let nextDelimiter = -2;
    while (position < length) {
      let end = text.indexOf(eolChar, position);
      if (end === -1) {
        if (!final) break;
        end = length;
      }
      let rowEnd = end;
      if (eol === LF && rowEnd > position && text.charCodeAt(rowEnd - 1) === CR) rowEnd -= 1;
      if (nextQuote !== -1 && nextQuote < position) nextQuote = text.indexOf(this.quote, position);
      if (nextQuote === -1 || nextQuote >= rowEnd) {
        // The fast path: no quote in this row.
        if (rowEnd > position) {
          const cells: string[] = [];
          let start = position;
          for (;;) {
            if (nextDelimiter !== -1 && nextDelimiter < start) nextDelimiter = text.indexOf(this.delimiter, start);
            if (nextDelimiter === -1 || nextDelimiter >= rowEnd) {
              cells.push(text.slice(start, rowEnd));
              break;
            }
            cells.push(text.slice(start, nextDelimiter));
            start = nextDelimiter + 1;
          }
          rows.push({ ok: true, cells, line: this.line, lastLine: this.line });
        }
        this.line += 1;
        position = end + 1;
        continue;
      }
      const next = this.quotedRow(text, position, final, rows);
      if (next === -1) break;
      position = next;
      nextDelimiter = -2;
    }
    this.keep(text, position);
  }

  private keep(text: string, position: number): void {
    this.pending = position >= text.length ? "" : text.slice(position);
    if (this.pending.length > MAX_ROW_CHARS) throw new CsvRowTooLongError(this.line);
  }

  /**
   * Reads one row holding a quote, field by field, from `start`.
   * Returns where the next row starts, or -1 when the row is not complete
   * in `text` (and more is to come).
   */
  private quotedRow(text: string, start: number, final: boolean, rows: CsvRow[]): number {
    const length = text.length;
    const quote = this.quoteCode;
    const delimiter = this.delimiterCode;
    const firstLine = this.line;
    let lines = 0;
    const cells: string[] = [];
    let quotedEmpty: number[] | undefined;
    let position = start;
    for (;;) {
      // One field from `position`.
      if (position < length && text.charCodeAt(position) === quote) {
        let value = "";
        let from = position + 1;
        let closed = false;
        let at = from;
        // Jump from quote to quote; line breaks in between only count lines.
        for (;;) {
          const next = text.indexOf(this.quote, at);
          lines += this.countEols(text, at, next === -1 ? length : next);
          if (next === -1) {
            at = length;
            break;
          }
          if (next + 1 < length && text.charCodeAt(next + 1) === quote) {
            value += text.slice(from, next + 1);
            at = next + 2;
            from = at;
            continue;
          }
          if (next + 1 >= length && !final) return -1;
          value += text.slice(from, next);
          closed = true;
          at = next + 1;
          break;
        }
        if (!closed) {
          if (!final) return -1;
          this.line += lines + 1;
          rows.push({
            ok: false,
            reason: "a quoted field is not closed before the end of the file",
            line: firstLine,
            raw: text.slice(start),
            code: "CSV_QUOTE_NOT_CLOSED",
          });
          return length;
        }
        // After the closing quote: a delimiter, the row's end, or text that makes the field unquoted.
        const after = at < length ? text.charCodeAt(at) : -1;
        if (after === delimiter) {
          if (value === "") quotedEmpty = withIndex(quotedEmpty, cells.length);
          cells.push(value);
          position = at + 1;
          continue;
        }
        const rowEnds = this.rowEndAt(text, at, final);
        if (rowEnds === undefined) return -1;
        if (rowEnds !== false) {
          if (value === "") quotedEmpty = withIndex(quotedEmpty, cells.length);
          cells.push(value);
          return this.finishRow(cells, firstLine, lines, rowEnds, rows, quotedEmpty);
        }
        // Not a proper closing quote: the field is text from here, its quotes kept.
        const rest = this.unquotedField(text, at, final);
        if (rest === undefined) return -1;
        cells.push(`${this.quote}${value}${this.quote}${text.slice(at, rest)}`);
        position = rest;
      } else {
        const fieldEnd = this.unquotedField(text, position, final);
        if (fieldEnd === undefined) return -1;
        cells.push(text.slice(position, fieldEnd));
        position = fieldEnd;
      }
      // `position` is at a delimiter or the row's end.
      if (position < length && text.charCodeAt(position) === delimiter) {
        position += 1;
        continue;
      }
      const rowEnds = this.rowEndAt(text, position, final);
      if (rowEnds === undefined) return -1;
      return this.finishRow(cells, firstLine, lines, rowEnds === false ? length : rowEnds, rows, quotedEmpty);
    }
  }

  /** Where an unquoted field starting at `position` ends (at a delimiter or the row's end), or undefined when that is not in `text` yet. */
  private unquotedField(text: string, position: number, final: boolean): number | undefined {
    const eol = this.eol ?? LF;
    let end = text.indexOf(String.fromCharCode(eol), position);
    if (end === -1) {
      if (!final) return undefined;
      end = text.length;
    } else if (eol === LF && end > position && text.charCodeAt(end - 1) === CR) end -= 1;
    const delimiter = text.indexOf(this.delimiter, position);
    return delimiter !== -1 && delimiter < end ? delimiter : end;
  }

  /** The row separators in text[from, to). */
  private countEols(text: string, from: number, to: number): number {
    const eol = String.fromCharCode(this.eol ?? LF);
    let count = 0;
    for (let at = text.indexOf(eol, from); at !== -1 && at < to; at = text.indexOf(eol, at + 1)) count += 1;
    return count;
  }

  /**
   * Whether the row ends at `position`: the index after its line break, or
   * `false` when something else is there, or undefined when `text` ends
   * before that can be told.
   */
  private rowEndAt(text: string, position: number, final: boolean): number | false | undefined {
    const length = text.length;
    if (position >= length) return final ? length : undefined;
    const code = text.charCodeAt(position);
    if (code === this.eol) return position + 1;
    if (code === CR && this.eol === LF) {
      if (position + 1 >= length) return final ? length : undefined;
      if (text.charCodeAt(position + 1) === LF) return position + 2;
    }
    return false;
  }

  private finishRow(cells: string[], firstLine: number, lines: number, next: number, rows: CsvRow[], quotedEmpty?: readonly number[]): number {
    rows.push(
      quotedEmpty === undefined
        ? { ok: true, cells, line: firstLine, lastLine: firstLine + lines }
        : { ok: true, cells, quotedEmpty, line: firstLine, lastLine: firstLine + lines },
    );
    this.line = firstLine + lines + 1;
    return next;
  }
}

/** `list` with `index` added, made at the first index (a row with no quoted empty field pays no array). */
function withIndex(list: number[] | undefined, index: number): number[] {
  if (list === undefined) return [index];
  list.push(index);
  return list;
}
