import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { FatalError, sourceFileError } from "../../protocol/index.js";
import type { CsvFile } from "./config.js";

/** One row as the parser saw it: its cells, or why it could not be read. */
export type CsvRow =
  | { readonly ok: true; readonly cells: string[]; readonly line: number; readonly raw: string }
  | { readonly ok: false; readonly reason: string; readonly line: number; readonly raw: string };

interface ParsedRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

/**
 * Streams the rows of a CSV file, header included, with their line numbers.
 * Quotes are read leniently (a stray quote inside a field is kept as text);
 * a row the parser cannot read at all comes back as `ok: false`. Memory
 * holds one chunk of the file, whatever its size.
 */
export async function* readCsvRows(file: CsvFile): AsyncGenerator<CsvRow> {
  const failures: CsvRow[] = [];
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
    raw: true,
    on_skip: (error, raw) => {
      failures.push({ ok: false, reason: error?.message ?? "unreadable row", line: Number(error?.["lines"] ?? 0), raw: raw ?? "" });
      return undefined;
    },
  });
  const rows = input.pipe(parser);
  input.on("error", (error) => parser.destroy(error));
  try {
    for await (const parsed of rows as AsyncIterable<ParsedRecord>) {
      while (failures.length > 0) yield failures.shift() as CsvRow;
      yield { ok: true, cells: parsed.record, line: parsed.info.lines, raw: parsed.raw.replace(/\r?\n$/, "") };
    }
    while (failures.length > 0) yield failures.shift() as CsvRow;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).syscall !== undefined) throw sourceFileError(error, file.path);
    throw new FatalError("CSV_UNREADABLE", `cannot parse the file: ${(error as Error).message}`, { where: { file: file.path }, cause: error });
  } finally {
    input.destroy();
  }
}
