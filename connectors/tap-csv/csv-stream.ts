import { SchemaInferrer, textConverter, TextConversionError, type TextConverter } from "../../catalogs/index.js";
import { BadRowHandler, bookmarked, ConfigError, DataError, type JsonSchema, type StreamItem, type TapStream } from "../../protocol/index.js";
import { columnNames, generatedNames } from "./column-names.js";
import type { CsvConfig, CsvFile } from "./config.js";
import { readCsvRows } from "./csv-rows.js";

/** The bookmark of a CSV stream: data rows consumed (good and bad), in which file. */
interface CsvBookmark {
  readonly path: string;
  readonly row: number;
}

/** Reads the header (if any) and a bounded sample; returns the column names and inferred schema. */
async function inspect(file: CsvFile, sampleSize: number): Promise<{ columns: string[]; schema: JsonSchema }> {
  let columns = file.columns === undefined ? undefined : [...file.columns];
  let headerPending = file.header;
  const inferrer = new SchemaInferrer({ mode: "text", keyFields: file.keyProperties });
  for await (const row of readCsvRows(file)) {
    if (!row.ok) continue;
    if (headerPending) {
      headerPending = false;
      columns ??= columnNames(row.cells);
      continue;
    }
    columns ??= generatedNames(row.cells.length);
    if (row.cells.length !== columns.length) continue;
    const sample: Record<string, string> = {};
    columns.forEach((name, index) => (sample[name] = row.cells[index] as string));
    inferrer.observe(sample);
    if (inferrer.sampleSize >= sampleSize) break;
  }
  columns ??= [];
  const inferred = inferrer.toSchema();
  const properties = inferred["properties"] as Record<string, JsonSchema>;
  // Columns of an empty file (header only) are nullable strings.
  for (const name of columns) properties[name] ??= { type: file.keyProperties.includes(name) ? "string" : ["null", "string"] };
  for (const key of file.keyProperties) {
    if (!columns.includes(key)) {
      throw new ConfigError("KEY_NOT_A_COLUMN", `key property "${key}" is not a column (columns: ${columns.join(", ")})`, {
        where: { connector: "tap-csv", stream: file.stream, file: file.path, setting: "key_properties" },
        hint: "Name an existing column in key_properties.",
      });
    }
  }
  return { columns, schema: { type: "object", properties: Object.fromEntries(columns.map((name) => [name, properties[name]])) } };
}

function startRow(bookmark: unknown, file: CsvFile, warn: (message: string) => void): number {
  if (typeof bookmark !== "object" || bookmark === null) return 0;
  const { path, row } = bookmark as Partial<CsvBookmark>;
  if (path !== file.path) {
    warn(`the saved position is for ${String(path)}, not ${file.path}: reading from the start`);
    return 0;
  }
  return typeof row === "number" && row > 0 ? row : 0;
}

/** A stream reading one CSV file: typed records, resumable by row. */
export async function csvStream(file: CsvFile, config: CsvConfig): Promise<TapStream<CsvConfig>> {
  const { columns, schema } = await inspect(file, config.sample_size);
  return {
    name: file.stream,
    schema,
    keyProperties: file.keyProperties,
    resumable: true,
    async *records({ bookmark, schema: announced, logger }): AsyncGenerator<StreamItem> {
      const start = startRow(bookmark, file, (message) => logger.warn(`stream ${file.stream}: ${message}`));
      const properties = (announced["properties"] ?? {}) as Record<string, JsonSchema>;
      // Only announced (selected) columns are converted; the others are dropped.
      const converters: Array<TextConverter | undefined> = columns.map((name) => (properties[name] === undefined ? undefined : textConverter(properties[name])));
      const badRows = new BadRowHandler(config.on_bad_row, logger, file.stream);
      const bad = (row: { line: number; raw: string }, code: string, message: string, bookmarkAfter: CsvBookmark, field?: string): StreamItem | undefined =>
        badRows.handle(
          new DataError(code, message, {
            where: { stream: file.stream, file: file.path, line: row.line, ...(field === undefined ? {} : { field }) },
            hint: 'Fix the row, or set "on_bad_row" to skip or dlq.',
          }),
          { raw: row.raw, bookmark: bookmarkAfter },
        );

      let headerPending = file.header;
      let dataRow = 0;
      for await (const row of readCsvRows(file)) {
        if (headerPending) {
          headerPending = false;
          continue;
        }
        dataRow += 1;
        if (dataRow <= start) continue;
        const position: CsvBookmark = { path: file.path, row: dataRow };
        if (!row.ok) {
          const rejected = bad(row, "CSV_BAD_ROW", `unreadable row: ${row.reason}`, position);
          if (rejected !== undefined) yield rejected;
          continue;
        }
        if (row.cells.length !== columns.length) {
          const rejected = bad(row, "CSV_FIELD_COUNT", `row has ${row.cells.length} fields, expected ${columns.length}`, position);
          if (rejected !== undefined) yield rejected;
          continue;
        }
        const record: Record<string, unknown> = {};
        let failed: StreamItem | undefined | null = null;
        for (let index = 0; index < columns.length; index += 1) {
          const convert = converters[index];
          if (convert === undefined) continue;
          const name = columns[index] as string;
          try {
            record[name] = convert(row.cells[index] as string);
          } catch (error) {
            if (!(error instanceof TextConversionError)) throw error;
            failed = bad(row, "CSV_BAD_VALUE", error.message, position, name);
            break;
          }
        }
        if (failed === null) yield bookmarked(record, position);
        else if (failed !== undefined) yield failed;
      }
      badRows.summarize();
    },
  };
}
