import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvParser, CsvRowTooLongError, MAX_ROW_CHARS, type CsvRow } from "../../../connectors/tap-csv/csv-parser.js";

interface Syntax {
  readonly delimiter: string;
  readonly quote: string;
}

/** Our parser's rows, the text fed in pieces cut at `cuts`. */
function ours(text: string, cuts: readonly number[], syntax: Syntax): CsvRow[] {
  const parser = new CsvParser(syntax);
  const rows: CsvRow[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.push(text.slice(at, Math.max(at, cut)), rows);
    at = Math.max(at, cut);
  }
  parser.push(text.slice(at), rows);
  parser.end(rows);
  return rows;
}

/** csv-parse's rows with the options tap-csv used to give it: cells and the line each row ends on, or "unreadable". */
function reference(text: string, syntax: Syntax): Array<[string[], number] | "unreadable"> {
  const unreadable: Array<"unreadable"> = [];
  const records = parse(text, {
    bom: true,
    delimiter: syntax.delimiter,
    quote: syntax.quote,
    // A doubled quote character is one quote, whichever the quote character (csv-parse's default escape is always '"').
    escape: syntax.quote,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    on_skip: () => {
      unreadable.push("unreadable");
      return undefined;
    },
  }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  return [...records.map(({ record, info }): [string[], number] => [record, info.lines]), ...unreadable];
}

function comparable(rows: CsvRow[]): Array<[string[], number] | "unreadable"> {
  const good = rows.filter((row) => row.ok).map((row): [string[], number] => [row.cells, row.lastLine]);
  return [...good, ...rows.filter((row) => !row.ok).map(() => "unreadable" as const)];
}

/**
 * Text made of the pieces CSV is hard about, with one kind of line break throughout (as csv-parse requires).
 * No byte-order mark: the file reader skips it before the parser sees the text (tap-csv's tests).
 */
const csvText = (syntax: Syntax) =>
  fc
    .tuple(
      fc.array(fc.constantFrom("a", "b", "é", "𝄞", " ", syntax.delimiter, syntax.quote, syntax.quote + syntax.quote, "\n", "\n\n"), { maxLength: 40 }),
      fc.constantFrom("\n", "\r\n"),
    )
    .map(([pieces, eol]) => pieces.join("").replaceAll("\n", eol));

describe("CsvParser", () => {
  it.each([
    { delimiter: ",", quote: '"' },
    { delimiter: ";", quote: "'" },
    { delimiter: "\t", quote: '"' },
  ])("reads every text as csv-parse does (delimiter %j), however the text is cut into pieces", (syntax) => {
    fc.assert(
      fc.property(csvText(syntax), fc.array(fc.nat({ max: 60 }), { maxLength: 4 }), (text, cuts) => {
        const rows = comparable(ours(text, cuts, syntax));
        const expected = reference(text, syntax);
        // csv-parse counts "\r\n" inside a quoted field as two lines; we count one. Compare lines where there is no "\r".
        if (text.includes("\r"))
          expect(rows.map((row) => (row === "unreadable" ? row : row[0]))).toEqual(expected.map((row) => (row === "unreadable" ? row : row[0])));
        else expect(rows).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("keeps quotes as text where they do not enclose a field, and names the line of a quote never closed", () => {
    const rows = ours('a,b\nx"y,"p""q"\n"ab"c,d\n"open,\nmore\n', [], { delimiter: ",", quote: '"' });
    expect(rows).toEqual([
      { ok: true, cells: ["a", "b"], line: 1, lastLine: 1 },
      { ok: true, cells: ['x"y', 'p"q'], line: 2, lastLine: 2 },
      { ok: true, cells: ['"ab"c', "d"], line: 3, lastLine: 3 },
      { ok: false, reason: "a quoted field is not closed before the end of the file", line: 4, raw: '"open,\nmore\n', code: "CSV_QUOTE_NOT_CLOSED" },
    ]);
  });

  it("reads a file whose rows end in a lone carriage return", () => {
    expect(ours('a,b\r1,"x\ry"\r2,3', [5], { delimiter: ",", quote: '"' })).toEqual([
      { ok: true, cells: ["a", "b"], line: 1, lastLine: 1 },
      { ok: true, cells: ["1", "x\ry"], line: 2, lastLine: 3 },
      { ok: true, cells: ["2", "3"], line: 4, lastLine: 4 },
    ]);
  });

  it("refuses a row longer than 64 Mi characters (a quote never closed) instead of holding the file in memory", () => {
    const parser = new CsvParser({ delimiter: ",", quote: '"' });
    const rows: CsvRow[] = [];
    parser.push("id,text\n1,ok\n", rows);
    const piece = `"${"x".repeat(8 * 1024 * 1024)}`;
    expect(() => {
      for (let index = 0; index <= MAX_ROW_CHARS / piece.length; index += 1) parser.push(piece, rows);
    }).toThrow(new CsvRowTooLongError(3));
    expect(rows.map((row) => (row.ok ? row.cells : row.reason))).toEqual([
      ["id", "text"],
      ["1", "ok"],
    ]);
  });

  it("reads a one-column file without a delimiter in linear time (a million rows)", () => {
    const text = "v\n".repeat(1_000_000);
    const rows = ours(text, [], { delimiter: ",", quote: '"' });
    expect(rows.length).toBe(1_000_000);
    expect(rows.at(-1)).toEqual({ ok: true, cells: ["v"], line: 1_000_000, lastLine: 1_000_000 });
  });
});
