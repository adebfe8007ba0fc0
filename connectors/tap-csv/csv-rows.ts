import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { FatalError, skipByteOrderMark, sourceFileError } from "../../protocol/tap.js";
import type { CsvFile } from "./config.js";
import { CsvParser, CsvRowTooLongError, type CsvRow } from "./csv-parser.js";
import { Utf8LineCheck } from "./utf8-check.js";
import { TapCsvCodes } from "./codes.js";

export type { CsvRow } from "./csv-parser.js";

/** A row's text for a dead letter: its cells written back as CSV. */
export function rowText(cells: readonly string[], file: CsvFile): string {
  const quote = file.quoteChar;
  return cells
    .map((cell) =>
      cell.includes(file.delimiter) || cell.includes(quote) || /[\r\n]/.test(cell) ? `${quote}${cell.replaceAll(quote, quote + quote)}${quote}` : cell,
    )
    .join(file.delimiter);
}

/** Decodes a file's bytes piece by piece; TextDecoder is the fastest for UTF-8 (its "latin1" would be windows-1252, so StringDecoder for that). */
function textDecoder(encoding: CsvFile["encoding"]): { write(bytes: Buffer): string; end(): string } {
  if (encoding === "latin1") return new StringDecoder("latin1");
  // The byte-order mark is skipped before decoding (readCsvRows), so one in the text is data.
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  return { write: (bytes) => decoder.decode(bytes, { stream: true }), end: () => decoder.decode() };
}

/**
 * Streams the rows of a CSV file, header included, with their line numbers,
 * a batch per chunk of the file. Quotes are read leniently (a stray quote
 * inside a field is kept as text); a row that cannot be read at all comes
 * back as `ok: false`. Memory holds one chunk of the file and the row being
 * read, whatever the file's size.
 */
export async function* readCsvRows(file: CsvFile): AsyncGenerator<CsvRow[]> {
  // 64 KiB pieces: a string over 128 KiB is allocated in V8's large-object space, which made decoding 17 times slower (bench/RESULTS.md).
  const input = createReadStream(file.path, { highWaterMark: 64 * 1024 });
  const decoder = textDecoder(file.encoding);
  const parser = new CsvParser({ delimiter: file.delimiter, quote: file.quoteChar });
  // In a UTF-8 file, bytes that are not UTF-8 would silently become U+FFFD: note their lines, to make those rows bad rows.
  const utf8 = file.strictUtf8 ? new Utf8LineCheck() : undefined;
  const checked = (rows: CsvRow[]): CsvRow[] => {
    if (utf8 === undefined || utf8.badLines.size === 0) return rows;
    return rows.map((row) => {
      if (!row.ok) return row;
      for (let line = row.line; line <= row.lastLine; line += 1) {
        if (utf8.badLines.has(line))
          return { ok: false, reason: "it holds bytes that are not UTF-8", line: row.line, raw: rowText(row.cells, file), code: "CSV_INVALID_UTF8" };
      }
      return row;
    });
  };
  try {
    let first = true;
    for await (const read of input as AsyncIterable<Buffer>) {
      let chunk = read;
      if (first) {
        first = false;
        chunk = chunk.subarray(skipByteOrderMark(chunk, file.encoding, file.path, "encoding"));
      }
      utf8?.inspect(chunk);
      const rows: CsvRow[] = [];
      parser.push(decoder.write(chunk), rows);
      if (rows.length > 0) yield checked(rows);
    }
    utf8?.finish();
    const rows: CsvRow[] = [];
    const rest = decoder.end();
    if (rest !== "") parser.push(rest, rows);
    parser.end(rows);
    if (rows.length > 0) yield checked(rows);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall !== undefined) throw sourceFileError(error, file.path);
    if (error instanceof CsvRowTooLongError) {
      throw new FatalError(TapCsvCodes.CSV_ROW_TOO_LONG, error.message, {
        where: { file: file.path, line: error.line },
        hint: "Check the file for a quote character that opens a field and never closes it, or set quote_char.",
      });
    }
    throw error;
  } finally {
    input.destroy();
  }
}
