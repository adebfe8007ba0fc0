import { SchemaInferrer, schemaTypes, textConverter, TextConversionError, type TextConverter } from "../../catalogs/index.js";
import {
  BadRowHandler,
  checkKeysAreColumns,
  DataError,
  fileIdentity,
  mapRows,
  RowBatch,
  savedPosition,
  type FileIdentity,
  type JsonSchema,
  type RejectedRow,
  type StreamItem,
  type TapStream,
  withNewProperties,
} from "../../protocol/tap.js";
import { exactNumberConverter } from "./exact-numbers.js";
import { columnNames, generatedNames, renamedColumns, type RenamedColumn } from "./column-names.js";
import type { CsvConfig, CsvFile } from "./config.js";
import { readCsvRows, rowText, type CsvRow } from "./csv-rows.js";

/** The bookmark of a CSV stream: data rows consumed (good and bad), in which file. */
interface CsvBookmark {
  readonly path: string;
  readonly row: number;
  /** The file as it was when reading started: a rewritten file is read from the start next time. */
  readonly file: FileIdentity;
}

/** Reads the header (if any) and a bounded sample; returns the column names and inferred schema. */
async function inspect(file: CsvFile, sampleSize: number): Promise<{ columns: string[]; schema: JsonSchema; renamed: RenamedColumn[] }> {
  let columns = file.columns === undefined ? undefined : [...file.columns];
  let renamed: RenamedColumn[] = [];
  let headerPending = file.header;
  const inferrer = new SchemaInferrer({ mode: "text", keyFields: file.keyProperties });
  sampling: for await (const rows of readCsvRows(file)) {
    for (const row of rows) {
      if (!row.ok) continue;
      if (headerPending) {
        headerPending = false;
        if (columns === undefined) {
          columns = columnNames(row.cells);
          renamed = renamedColumns(row.cells, columns);
        }
        continue;
      }
      columns ??= generatedNames(row.cells.length);
      if (row.cells.length !== columns.length) continue;
      const sample: Record<string, string> = {};
      for (const [index, name] of columns.entries()) sample[name] = row.cells[index] as string;
      inferrer.observe(sample);
      if (inferrer.sampleSize >= sampleSize) break sampling;
    }
  }
  columns ??= [];
  const inferred = inferrer.toSchema();
  const properties = inferred["properties"] as Record<string, JsonSchema>;
  // Columns of an empty file (header only) are nullable strings.
  for (const name of columns) properties[name] ??= { type: file.keyProperties.includes(name) ? "string" : ["null", "string"] };
  checkKeysAreColumns(file.keyProperties, columns, { connector: "tap-csv", stream: file.stream, file: file.path });
  return { columns, renamed, schema: { type: "object", properties: Object.fromEntries(columns.map((name) => [name, properties[name]])) } };
}

/**
 * A stream reading one CSV file: typed records, resumable by row. With a
 * known schema (a sync's catalog) only the header is read, not a sample.
 */
export async function csvStream(file: CsvFile, config: CsvConfig, knownSchema?: JsonSchema): Promise<TapStream<CsvConfig>> {
  let inspected = await inspect(file, knownSchema === undefined ? config.sample_size : 1);
  const { columns } = inspected;
  const known = (knownSchema?.["properties"] ?? {}) as Record<string, JsonSchema>;
  // A header with columns the catalog lacks: the file changed since discovery, so they are typed from a sample like a discovery would.
  if (knownSchema !== undefined && columns.some((name) => !Object.hasOwn(known, name))) inspected = await inspect(file, config.sample_size);
  const schema = knownSchema === undefined ? inspected.schema : withNewProperties(knownSchema, inspected.schema);
  return {
    name: file.stream,
    schema,
    keyProperties: file.keyProperties,
    columns,
    resumable: true,
    async *records({ bookmark, schema: announced, logger }): AsyncGenerator<StreamItem> {
      const identity = fileIdentity(file.path);
      const start = savedPosition(bookmark, file.path, "row", (message) => logger.warn(`stream ${file.stream}: ${message}`), identity, config.on_file_change);
      for (const { header, column, name } of inspected.renamed) {
        logger.warn(
          `stream ${file.stream}: ${file.path}: the header names "${header}" more than once; column ${column} is read as "${name}" (set "columns" in the config to name them yourself)`,
        );
      }
      const properties = (announced["properties"] ?? {}) as Record<string, JsonSchema>;
      // Only announced (selected) columns are converted; the others are dropped.
      const converters: Array<TextConverter | undefined> = columns.map((name) => {
        const property = properties[name];
        return property === undefined ? undefined : exactNumberConverter(property, textConverter(property));
      });
      // Text columns, where a quoted empty field ("") is an empty string unless quoted_empty says null.
      const textColumns = new Set(
        config.quoted_empty === "null"
          ? []
          : columns.flatMap((name, index) => (properties[name] !== undefined && schemaTypes(properties[name]).includes("string") ? [index] : [])),
      );
      const badRows = new BadRowHandler(config.on_bad_row, logger, file.stream);
      const bad = (line: number, raw: string, code: string, message: string, dataRow: number, field?: string): RejectedRow | undefined =>
        badRows.handle(
          new DataError(code, message, {
            where: { stream: file.stream, file: file.path, line, ...(field === undefined ? {} : { field }) },
            hint: 'Fix the row, or set "on_bad_row" to skip or dlq.',
          }),
          { raw, bookmark: { path: file.path, row: dataRow, file: identity } satisfies CsvBookmark },
        );

      /** One parsed row as typed values (in column order), or a rejected row (undefined when skipped); throws under the "fail" policy. */
      const toItem = (row: CsvRow, position: number): unknown[] | RejectedRow | undefined => {
        if (!row.ok) return bad(row.line, row.raw, row.code, `unreadable row: ${row.reason}`, position);
        const cells = row.cells;
        if (cells.length !== columns.length) {
          return bad(row.line, rowText(cells, file), "CSV_FIELD_COUNT", `row has ${cells.length} fields, expected ${columns.length}`, position);
        }
        // Values by position: column names (`__proto__` too) are only ever keys of the JSON the SDK writes.
        const values = new Array<unknown>(columns.length);
        for (let index = 0; index < columns.length; index += 1) {
          const convert = converters[index];
          if (convert === undefined) continue;
          try {
            values[index] = convert(cells[index] as string);
          } catch (error) {
            if (!(error instanceof TextConversionError)) throw error;
            return bad(row.line, rowText(cells, file), "CSV_BAD_VALUE", error.message, position, columns[index]);
          }
        }
        if (row.quotedEmpty !== undefined) for (const index of row.quotedEmpty) if (textColumns.has(index)) values[index] = "";
        return values;
      };

      let headerPending = file.header;
      let dataRow = 0;
      for await (const rows of readCsvRows(file)) {
        // Each item's data row number, for its bookmark: bad and skipped rows count too.
        const positions: number[] = [];
        const { items, error } = mapRows(rows, (row) => {
          if (headerPending) {
            headerPending = false;
            return undefined;
          }
          dataRow += 1;
          if (dataRow <= start) return undefined;
          const item = toItem(row, dataRow);
          if (item !== undefined) positions.push(dataRow);
          return item;
        });
        // Under the "fail" policy the rows before the bad one are still emitted; then the error stops the stream.
        if (items.length > 0) yield new RowBatch(items, (index): CsvBookmark => ({ path: file.path, row: positions[index] as number, file: identity }));
        if (error !== undefined) throw error;
      }
      badRows.summarize();
    },
  };
}
