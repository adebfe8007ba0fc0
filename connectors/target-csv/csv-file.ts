import { existsSync, openSync, readSync, closeSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { cutIncompleteTail, fileError, openForAppend, type Logger } from "../../protocol/index.js";

export interface CsvFormat {
  readonly delimiter: string;
  readonly quoteChar: string;
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
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * One stream's CSV file. Appends to an existing file whose header matches
 * the columns; when the columns differ (the schema grew), continues in a
 * new file `<name>-2.csv`, `-3`… rather than mixing layouts in one file.
 */
export class CsvFile {
  private constructor(
    readonly path: string,
    readonly columns: readonly string[],
    private readonly handle: FileHandle,
    private readonly format: CsvFormat,
  ) {}

  static async open(basePath: string, columns: readonly string[], format: CsvFormat, logger: Logger): Promise<CsvFile> {
    let path = basePath;
    for (let suffix = 2; ; suffix += 1) {
      // A write that failed half-way (a full disk, a kill) left a broken last row: cut it before reading or appending.
      const cut = await cutIncompleteTail(path, format.quoteChar).catch((error: unknown) => {
        throw fileError(error, path, "repair the file's incomplete last row");
      });
      if (cut > 0) logger.warn(`${path}: cut ${cut} bytes of an incomplete last row, left by a write that failed; its records were not confirmed and come again`);
      const header = existingHeader(path, format);
      if (header === undefined || header.join("\u0000") === columns.join("\u0000")) break;
      path = basePath.replace(/(\.[^./]*)?$/, (extension) => `-${suffix}${extension}`);
    }
    const writeHeader = existingHeader(path, format) === undefined;
    const handle = await openForAppend(path);
    const file = new CsvFile(path, columns, handle, format);
    if (writeHeader) await file.append([columns as string[]]);
    return file;
  }

  /** Appends rows and fsyncs them. */
  async append(rows: unknown[][]): Promise<void> {
    const text = stringify(rows, { delimiter: this.format.delimiter, quote: this.format.quoteChar, record_delimiter: "\n", cast: { boolean: (value) => String(value) } });
    try {
      await this.handle.appendFile(text, "utf8");
      await this.handle.sync();
    } catch (error) {
      throw fileError(error, this.path, "write records");
    }
  }

  rowOf(record: Record<string, unknown>): string[] {
    return this.columns.map((column) => cellText(record[column]));
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
