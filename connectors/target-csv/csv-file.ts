import { existsSync, openSync, readSync, closeSync } from "node:fs";
import { parse } from "csv-parse/sync";
import {
  AppendFile,
  cutIncompleteTail,
  fileError,
  isExactNumber,
  numberedPath,
  stringifyJson,
  TextChunks,
  type DirectorySyncs,
  type Logger,
} from "../../protocol/index.js";

export interface CsvFormat {
  readonly delimiter: string;
  readonly quoteChar: string;
}

/** A format with the line maker for it, made once per target and shared by every stream (csvWriting). */
export interface CsvWriting extends CsvFormat {
  readonly lineOf: (cells: readonly string[]) => string;
}

/** The header row of an existing CSV file, or undefined if it has none (or is empty). */
function existingHeader(path: string, format: CsvFormat): string[] | undefined {
  if (!existsSync(path)) return undefined;
  const buffer = Buffer.alloc(64 * 1024);
  const descriptor = openSync(path, "r");
  let length: number;
  try {
    length = readSync(descriptor, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(descriptor);
  }
  const firstLine = buffer.toString("utf8", 0, length).split("\n")[0]?.replace(/\r$/, "") ?? "";
  if (firstLine === "") return undefined;
  const [header] = parse(firstLine, { delimiter: format.delimiter, quote: format.quoteChar, bom: true, relax_quotes: true }) as string[][];
  return header;
}

/** A cell's text: null empty, objects and arrays as JSON, the rest as JSON would print it. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  // A number a double cannot hold is written as the tap wrote it (its text).
  if (typeof value === "object" && !isExactNumber(value)) return stringifyJson(value);
  return String(value);
}

/** A character as a member of a regular expression's character class. */
function inClass(character: string): string {
  return /[\\\]^-]/.test(character) ? `\\${character}` : character;
}

/**
 * Makes CSV lines: a cell holding the delimiter, the quote character or a
 * line break ("\r" too) is quoted, its quotes doubled, as tap-csv reads
 * them back. Ours rather than csv-stringify's: that one left a lone "\r"
 * unquoted, escaped a custom quote character with '"', and made
 * target-csv spend 40% of its time collecting garbage (bench/RESULTS.md).
 */
export function csvLineOf(format: CsvFormat): (cells: readonly string[]) => string {
  const { delimiter, quoteChar } = format;
  const special = new RegExp(`[${inClass(delimiter)}${inClass(quoteChar)}\r\n]`);
  const quoted = (cell: string): string => (special.test(cell) ? quoteChar + cell.replaceAll(quoteChar, quoteChar + quoteChar) + quoteChar : cell);
  return (cells) => {
    let line = "";
    for (let index = 0; index < cells.length; index += 1) line += index === 0 ? quoted(cells[index] as string) : delimiter + quoted(cells[index] as string);
    // A lone empty cell is quoted: an empty line would be skipped by readers.
    return line === "" && cells.length === 1 ? `${quoteChar}${quoteChar}\n` : `${line}\n`;
  };
}

/**
 * The format's line maker, to share between streams: its regular
 * expression is compiled (and tiered up by V8) once, not once per stream
 * (0.6 % of target-csv's instructions over 2,000 streams of 100 records).
 */
export function csvWriting(format: CsvFormat): CsvWriting {
  return { delimiter: format.delimiter, quoteChar: format.quoteChar, lineOf: csvLineOf(format) };
}

/**
 * A record's CSV line (with its newline) for `columns`: null and missing
 * properties empty, objects and arrays as JSON, the rest as JSON would
 * print them. Made as each record arrives, so only the line is held.
 */
export function csvRecordLineOf(columns: readonly string[], { lineOf }: CsvWriting): (record: Readonly<Record<string, unknown>>) => string {
  const cells: string[] = new Array<string>(columns.length).fill("");
  return (record) => {
    for (let index = 0; index < columns.length; index += 1) {
      const column = columns[index] as string;
      // Own properties only: a record without "constructor" has no such cell.
      cells[index] = Object.hasOwn(record, column) ? cellText(record[column]) : "";
    }
    return lineOf(cells);
  };
}

/**
 * One encoder for every file's lines: its slabs are filled in turn (a slab
 * per file and batch was 64 MB of buffers for 2,000 streams); what it hands
 * out is never written over by later lines.
 */
const encoded = new TextChunks();

/**
 * One stream's CSV file. Appends to an existing file whose header matches
 * the columns; when the columns differ (the schema grew), continues in a
 * new file `<name>-2.csv`, `-3`… rather than mixing layouts in one file.
 */
export class CsvFile {
  private constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly file: AppendFile,
  ) {}

  static async open(basePath: string, columns: readonly string[], format: CsvWriting, logger: Logger, directories?: DirectorySyncs): Promise<CsvFile> {
    let path = basePath;
    for (let suffix = 2; ; suffix += 1) {
      // A new file costs one open; an existing one is repaired and its header read first.
      const created = await AppendFile.create(path, directories);
      if (created !== undefined) return CsvFile.started(path, columns, format, created, true);
      // A write that failed half-way (a full disk, a kill) left a broken last row: cut it before reading or appending.
      const cut = await cutIncompleteTail(path, format.quoteChar).catch((error: unknown) => {
        throw fileError(error, path, "repair the file's incomplete last row");
      });
      if (cut > 0)
        logger.warn(`${path}: cut ${cut} bytes of an incomplete last row, left by a write that failed; its records were not confirmed and come again`);
      const header = existingHeader(path, format);
      if (header === undefined || header.join("\u0000") === columns.join("\u0000"))
        return CsvFile.started(path, columns, format, await AppendFile.open(path, directories), header === undefined);
      path = numberedPath(basePath, suffix);
    }
  }

  /** A file this process opened before and closed whole (to make room for others): appended to again, with nothing to repair or read. */
  static reopen(path: string, columns: readonly string[]): CsvFile {
    return new CsvFile(path, columns, AppendFile.reopen(path));
  }

  /** The file opened to append to, its header written first when it has none yet. */
  private static async started(path: string, columns: readonly string[], format: CsvWriting, appendFile: AppendFile, writeHeader: boolean): Promise<CsvFile> {
    const file = new CsvFile(path, columns, appendFile);
    // The header is made durable with the file's first records (a run killed before them leaves a header, or nothing: either is read right next time).
    if (writeHeader) await file.append([[format.lineOf(columns)]], false);
    return file;
  }

  /** Appends groups of CSV lines, in order (each line with its newline, from csvRecordLineOf), and fsyncs them (unless `sync` is false). */
  async append(groups: ReadonlyArray<readonly string[]>, sync = true): Promise<void> {
    for (const lines of groups) for (const line of lines) encoded.add(line);
    const buffers = encoded.take();
    try {
      this.file.append(buffers);
      if (sync) await this.file.sync();
    } catch (error) {
      throw fileError(error, this.path, "write records");
    }
  }

  close(): void {
    this.file.close();
  }
}
