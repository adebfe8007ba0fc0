import { parse as csvParse } from "csv-parse";
import Papa from "papaparse";
import { inferSchema, initParser } from "udsv";
import { CsvParser, type CsvRow } from "../../connectors/tap-csv/csv-parser.js";
import { bestOfEach, rateTable, type Measurement } from "../measure.js";

/** The bench CSV in memory, as the 64 KiB pieces tap-csv reads. */
function pieces(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += 64 * 1024) out.push(text.slice(at, at + 64 * 1024));
  return out;
}

function viaCsvParse(chunks: readonly string[], info: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    const parser = csvParse({ bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, info });
    parser.on("readable", () => {
      while (parser.read() !== null) rows += 1;
    });
    parser.on("end", () => resolve(rows));
    parser.on("error", reject);
    for (const chunk of chunks) parser.write(chunk);
    parser.end();
  });
}

function viaPapaparse(chunks: readonly string[]): number {
  // Papa's streaming parser in-process: chunks in order, a row at a time.
  let rows = 0;
  let rest = "";
  for (const chunk of chunks) {
    const text = rest + chunk;
    const cut = text.lastIndexOf("\n");
    const result = Papa.parse<string[]>(text.slice(0, cut + 1), { skipEmptyLines: true });
    rows += result.data.length;
    rest = text.slice(cut + 1);
  }
  if (rest !== "") rows += Papa.parse<string[]>(rest, { skipEmptyLines: true }).data.length;
  return rows;
}

function viaUdsv(chunks: readonly string[]): number {
  let rows = 0;
  let parser: ReturnType<typeof initParser> | undefined;
  for (const chunk of chunks) {
    parser ??= initParser(inferSchema(chunk));
    parser.chunk(chunk, parser.stringArrs as never, () => {
      rows += 1;
    });
  }
  parser?.end();
  // The header, which udsv takes as the column names.
  return rows + 1;
}

function viaOurs(chunks: readonly string[]): number {
  const parser = new CsvParser({ delimiter: ",", quote: '"' });
  let rows = 0;
  const batch: CsvRow[] = [];
  for (const chunk of chunks) {
    parser.push(chunk, batch);
    rows += batch.length;
    batch.length = 0;
  }
  parser.end(batch);
  return rows + batch.length;
}

/**
 * CSV parsers on the same in-memory file (the bench CSV: quoted JSON cells in
 * every row): csv-parse with the options tap-csv used (line numbers on) and
 * without them, papaparse, udsv, and tap-csv's own parser. Each must see every
 * row; papaparse is fed whole lines (its quoted newlines aside, which the
 * bench file has none of).
 */
export async function runCsvParserBench(csv: string, rowsInFile: number, runs: number): Promise<string> {
  const chunks = pieces(csv);
  const bytes = Buffer.byteLength(csv);
  const contenders: Array<[string, () => number | Promise<number>]> = [
    ["csv-parse, line numbers on (tap-csv until now)", () => viaCsvParse(chunks, true)],
    ["csv-parse, line numbers off", () => viaCsvParse(chunks, false)],
    ["papaparse", () => viaPapaparse(chunks)],
    ["udsv", () => viaUdsv(chunks)],
    ["tap-csv's CsvParser", () => viaOurs(chunks)],
  ];
  for (const [name, read] of contenders) {
    const seen = await read();
    if (seen !== rowsInFile) throw new Error(`${name} read ${seen} of ${rowsInFile} rows`);
  }
  const results = await bestOfEach(contenders, runs, rowsInFile, bytes);
  return rateTable(results, results[0] as Measurement, "rows", "csv-parse as tap-csv used it");
}
