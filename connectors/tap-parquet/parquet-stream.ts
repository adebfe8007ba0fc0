import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, type AsyncBuffer, type FileMetaData } from "hyparquet";
import {
  BadRowHandler,
  bookmarked,
  checkKeysAreColumns,
  DataError,
  FatalError,
  savedPosition,
  sourceFileError,
  type Bookmarked,
  type JsonSchema,
  type RejectedRow,
  type StreamItem,
  type TapStream,
} from "../../protocol/tap.js";
import type { ParquetConfig, ParquetFileEntry } from "./config.js";
import { parquetArrowBatches } from "./arrow-batches.js";
import { groupColumnSources, type ColumnSource, type DecodedColumn } from "./column-pages.js";
import { parquetToJsonSchema } from "./parquet-schema.js";
import { valueReader, withRawDecimals, type NonFinite, type ValueReader } from "./parquet-values.js";
import { TapParquetCodes } from "./codes.js";

/** The bookmark of a Parquet stream: rows consumed, in which file. */
interface ParquetBookmark {
  readonly path: string;
  readonly row: number;
}

async function openParquet(path: string): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
  let file: AsyncBuffer;
  try {
    file = await asyncBufferFromFile(path);
  } catch (error) {
    throw sourceFileError(error, path);
  }
  try {
    return { file, metadata: await parquetMetadataAsync(file) };
  } catch (error) {
    throw new FatalError(TapParquetCodes.PARQUET_INVALID, `not a readable Parquet file (${(error as Error).message})`, {
      where: { file: path },
      hint: "Check that the file is Parquet and not truncated.",
      cause: error,
    });
  }
}

/** A selected column of the row group being sent: its reader, where its values come from, and the values holding the row being made. */
interface GroupColumn {
  readonly name: string;
  readonly read: ValueReader;
  readonly source: ColumnSource | undefined;
  decoded: DecodedColumn | undefined;
}

/**
 * A stream reading one Parquet file a row group at a time, each column a
 * page at a time (see column-pages.ts): memory holds about a page of each
 * selected column, never a whole group or the file. Only selected columns
 * are decoded. Resumable by row: row groups and pages before the saved row
 * are skipped undecoded.
 */
export async function parquetStream(entry: ParquetFileEntry): Promise<TapStream<ParquetConfig>> {
  const { metadata } = await openParquet(entry.path);
  const schema = parquetToJsonSchema(parquetSchema(metadata));
  const properties = schema["properties"] as Record<string, JsonSchema>;
  const int96Columns = new Set(
    parquetSchema(metadata)
      .children.filter((child) => child.element.type === "INT96")
      .map((child) => child.element.name),
  );
  checkKeysAreColumns(entry.keyProperties, Object.keys(properties), { connector: "tap-parquet", stream: entry.stream, file: entry.path });
  return {
    name: entry.stream,
    schema,
    keyProperties: entry.keyProperties,
    resumable: true,
    arrowBatches({ bookmark, schema: announced, logger }, { rowsPerFile }) {
      const start = savedPosition(bookmark, entry.path, "row", (message) => logger.warn(`stream ${entry.stream}: ${message}`));
      const columns = Object.keys((announced["properties"] ?? {}) as object);
      return parquetArrowBatches({ path: entry.path, stream: entry.stream, columns, properties, start, rowsPerFile, logger, recordsOnly: int96Columns });
    },
    async *records({ bookmark, schema: announced, logger, config }): AsyncGenerator<StreamItem> {
      const start = savedPosition(bookmark, entry.path, "row", (message) => logger.warn(`stream ${entry.stream}: ${message}`));
      const { file, metadata: current } = await openParquet(entry.path);
      const columns = Object.keys((announced["properties"] ?? {}) as object);
      const tree = parquetSchema(current);
      const readers = new Map(tree.children.map((child) => [child.element.name, valueReader(child)]));
      const decoding = withRawDecimals(current);
      const nonFinite: NonFinite | undefined = config.non_finite_numbers === "bad_row" ? undefined : { byColumn: new Map() };
      const badRows = new BadRowHandler(config.on_bad_row, logger, entry.stream);
      const columnReaders = columns.map((name) => [name, readers.get(name) as ValueReader] as const);
      /** The file's row `index` (from 0), from its group's decoded columns, as its record, or as a bad row (a NaN under non_finite_numbers = "bad_row", a time past 9999). */
      const recordOf = (groupColumns: readonly GroupColumn[], index: number): Bookmarked | RejectedRow | undefined => {
        // A bookmark counts the rows sent, this one included.
        const position: ParquetBookmark = { path: entry.path, row: index + 1 };
        try {
          const record: Record<string, unknown> = {};
          for (const { name, read, decoded } of groupColumns) {
            const value = read(decoded === undefined ? undefined : decoded.values[index - decoded.start], name, nonFinite);
            // A column named __proto__ is data, an own property as JSON.parse makes it: assigned, it would set the
            // prototype (or, for a string, vanish). Defining every property instead cost a fifth of the tap's time.
            if (name === "__proto__") Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
            else record[name] = value;
          }
          return bookmarked(record, position);
        } catch (error) {
          if (!(error instanceof DataError)) throw error;
          return badRows.handle(error.withLocation({ stream: entry.stream, file: entry.path, line: index + 1 }), { bookmark: position });
        }
      };
      let groupStart = 0;
      for (const [index, group] of current.row_groups.entries()) {
        const groupEnd = groupStart + Number(group.num_rows);
        if (groupEnd > start) {
          const rowStart = Math.max(groupStart, start);
          const groupRead = { file, metadata: decoding, path: entry.path, group: index, groupStart, rowStart };
          const sources = await groupColumnSources(groupRead, columns);
          const groupColumns = columnReaders.map(([name, read]): GroupColumn => ({ name, read, source: sources.get(name), decoded: undefined }));
          // Rows are sent a stretch at a time: as far as every column's current page reaches.
          let row = rowStart;
          while (row < groupEnd) {
            let stretchEnd = groupEnd;
            for (const column of groupColumns) {
              column.decoded = column.source?.valuesAt(row);
              if (column.decoded !== undefined) stretchEnd = Math.min(stretchEnd, column.decoded.start + column.decoded.values.length);
            }
            for (; row < stretchEnd; row += 1) {
              const item = recordOf(groupColumns, row);
              if (item !== undefined) yield item;
            }
          }
        }
        groupStart = groupEnd;
      }
      for (const [column, count] of nonFinite?.byColumn ?? []) {
        logger.warn(
          `stream ${entry.stream}: column ${column}: ${count} NaN or ±Infinity value(s) written as null (set non_finite_numbers = "bad_row" to make such rows bad rows)`,
        );
      }
      badRows.summarize();
    },
  };
}
