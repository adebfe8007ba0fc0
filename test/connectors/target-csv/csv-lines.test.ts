import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvParser, type CsvRow } from "../../../connectors/tap-csv/csv-parser.js";
import { csvLineOf, type CsvFormat } from "../../../connectors/target-csv/csv-file.js";

/** The CSV text target-csv writes for `rows`. */
function csvText(rows: readonly (readonly string[])[], format: CsvFormat): string {
  return rows.map(csvLineOf(format)).join("");
}

function readBack(text: string, delimiter: string, quote: string): string[][] {
  const parser = new CsvParser({ delimiter, quote });
  const rows: CsvRow[] = [];
  parser.push(text, rows);
  parser.end(rows);
  return rows.map((row) => (row.ok ? row.cells : ["unreadable"]));
}

describe("csvLineOf", () => {
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
        expect(readBack(csvText(rows, { delimiter, quoteChar: quote }), delimiter, quote)).toEqual(rows);
      }),
      { numRuns: 2000 },
    );
  });

  it("quotes only the cells that need it", () => {
    const text = csvText([["plain", "a,b", 'say "hi"', "two\nlines", "cr\rx", ""]], { delimiter: ",", quoteChar: '"' });
    expect(text).toBe('plain,"a,b","say ""hi""","two\nlines","cr\rx",\n');
  });
});
