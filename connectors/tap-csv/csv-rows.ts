import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { FatalError, readBatches, sourceFileError } from "../../protocol/index.js";
import type { CsvFile } from "./config.js";
import { Utf8LineCheck } from "./utf8-check.js";

/** One row as the parser saw it: its cells, or why it could not be read. */
export type CsvRow =
  | { readonly ok: true; readonly cells: string[]; readonly line: number }
  | { readonly ok: false; readonly reason: string; readonly line: number; readonly raw: string; readonly code?: string };

interface ParsedRecord {
  record: string[];
  info: { lines: number };
}

/** A row's text for a dead letter: its cells written back as CSV (the parser does not keep the original bytes, which costs ~8%). */
export function rowText(cells: readonly string[], file: CsvFile): string {
  const quote = file.quoteChar;
  return cells
    .map((cell) => (cell.includes(file.delimiter) || cell.includes(quote) || /[\r\n]/.test(cell) ? `${quote}${cell.replaceAll(quote, quote + quote)}${quote}` : cell))
    .join(file.delimiter);
}

/**
 * Streams the rows of a CSV file, header included, with their line numbers,
 * a batch at a time (one promise per batch, not per row). Quotes are read
 * leniently (a stray quote inside a field is kept as text); a row the parser
 * cannot read at all comes back as `ok: false`. Memory holds one chunk of
 * the file, whatever its size.
 */
export async function* readCsvRows(file: CsvFile): AsyncGenerator<CsvRow[]> {
  let failures: CsvRow[] = [];
  const input = createReadStream(file.path, { highWaterMark: 256 * 1024 });
  const parser = parse({
    bom: true,
    encoding: file.encoding,
    delimiter: file.delimiter,
    quote: file.quoteChar,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    on_skip: (error, raw) => {
      failures.push({ ok: false, reason: error?.message ?? "unreadable row", line: Number(error?.["lines"] ?? 0), raw: raw ?? "" });
      return undefined;
    },
  });
  input.on("error", (error) => parser.destroy(error));
  // In a UTF-8 file, bytes that are not UTF-8 would silently become U+FFFD: note their lines, to make those rows bad rows.
  const utf8 = file.strictUtf8 ? new Utf8LineCheck() : undefined;
  if (utf8 === undefined) input.pipe(parser);
  else input.pipe(utf8).pipe(parser);
  let previousEnd = 0;
  const invalidUtf8 = (end: number): boolean => {
    if (utf8 === undefined || utf8.badLines.size === 0) return false;
    for (let line = previousEnd + 1; line <= end; line += 1) if (utf8.badLines.has(line)) return true;
    return false;
  };
  try {
    for await (const parsed of readBatches<ParsedRecord>(parser)) {
      const rows: CsvRow[] = failures;
      failures = [];
      for (const { record, info } of parsed) {
        rows.push(invalidUtf8(info.lines) ? { ok: false, reason: "it holds bytes that are not UTF-8", line: info.lines, raw: rowText(record, file), code: "CSV_INVALID_UTF8" } : { ok: true, cells: record, line: info.lines });
        previousEnd = info.lines;
      }
      yield rows;
    }
    if (failures.length > 0) yield failures;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall !== undefined) throw sourceFileError(error, file.path);
    throw new FatalError("CSV_UNREADABLE", `cannot parse the file: ${(error as Error).message}`, { where: { file: file.path }, cause: error });
  } finally {
    input.destroy();
  }
}
