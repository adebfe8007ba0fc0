import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvParser, type CsvRow } from "../../../connectors/tap-csv/csv-parser.js";
import { csvLines } from "../../../connectors/target-csv/csv-file.js";

function readBack(buffers: Buffer[], delimiter: string, quote: string): string[][] {
  const parser = new CsvParser({ delimiter, quote });
  const rows: CsvRow[] = [];
  parser.push(Buffer.concat(buffers).toString("utf8"), rows);
  parser.end(rows);
  return rows.map((row) => (row.ok ? row.cells : ["unreadable"]));
}

describe("csvLines", () => {
  it.each([
    [",", '"'],
    [";", "'"],
    ["\t", '"'],
    ["]", "^"],
    ["-", "\\"],
  ])("writes rows that tap-csv reads back cell for cell (delimiter %j, quote %j)", (delimiter, quote) => {
    const cell = fc.array(fc.constantFrom("a", "é", " ", "\r", "\n", "\r\n", delimiter, quote, "𝄞"), { maxLength: 6 }).map((parts) => parts.join(""));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), (rows) => {
        expect(readBack(csvLines(rows, { delimiter, quoteChar: quote }), delimiter, quote)).toEqual(rows);
      }),
      { numRuns: 2000 },
    );
  });

  it("quotes only the cells that need it", () => {
    const text = Buffer.concat(csvLines([["plain", "a,b", 'say "hi"', "two\nlines", "cr\rx", ""]], { delimiter: ",", quoteChar: '"' })).toString();
    expect(text).toBe('plain,"a,b","say ""hi""","two\nlines","cr\rx",\n');
  });
});
