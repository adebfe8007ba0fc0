import {
  asyncBufferFromFile,
  flatten,
  parquetMetadataAsync,
  parquetRead,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type ColumnData,
  type DecodedArray,
  type FileMetaData,
} from "hyparquet";
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
import { parquetToJsonSchema } from "./parquet-schema.js";
import { READ_OPTIONS, valueReader, withRawDecimals, type NonFinite, type ValueReader } from "./parquet-values.js";
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

interface RowGroupRead {
  readonly file: AsyncBuffer;
  readonly metadata: FileMetaData;
  readonly columns: string[];
  readonly rowStart: number;
  readonly rowEnd: number;
}

/** A column of a row group, decoded: its values from row `start` of the file on. */
interface DecodedColumn {
  readonly start: number;
  readonly values: DecodedArray;
}

/** A selected column of the row group being sent: its reader and its decoded values. */
interface GroupColumn {
  readonly name: string;
  readonly read: ValueReader;
  readonly decoded: DecodedColumn | undefined;
}

/**
 * The selected columns of one row group (from rowStart), decoded column by
 * column: a record is made from them as it is sent, so the group is never
 * also held as an object per row (the bench file of 1M rows in groups of
 * 100,000 peaked at 348-427 MiB with those objects, 242 MiB without them).
 * Every codec of the format read. A damaged group is one line naming the
 * file, the row group and, found by reading each column alone, the column:
 * not the decoder's own words alone.
 */
async function readRowGroup(read: RowGroupRead, where: { path: string; group: number }): Promise<Map<string, DecodedColumn>> {
  try {
    const chunks = new Map<string, ColumnData[]>();
    await parquetRead({
      ...read,
      ...READ_OPTIONS,
      onChunk: (chunk) => {
        const own = chunks.get(chunk.columnName);
        if (own === undefined) chunks.set(chunk.columnName, [chunk]);
        else own.push(chunk);
      },
    });
    // A column's chunks come in row order (hyparquet hands them over as it decodes the column's pages).
    return new Map(
      [...chunks].map(([name, own]) => [name, { start: own[0]?.rowStart ?? read.rowStart, values: flatten(own.map((chunk) => chunk.columnData)) }]),
    );
  } catch (error) {
    let column: string | undefined;
    for (const name of read.columns) {
      try {
        await parquetReadObjects({ ...read, ...READ_OPTIONS, columns: [name] });
      } catch {
        column = name;
        break;
      }
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new FatalError(
      TapParquetCodes.PARQUET_DAMAGED,
      `row group ${where.group + 1}${column === undefined ? "" : `, column ${column},`} cannot be read (${reason})`,
      {
        where: { file: where.path },
        hint: "The file is damaged or uses a feature the reader lacks: write it again, or leave that column out of the catalog.",
        cause: error,
      },
    );
  }
}

/**
 * A stream reading one Parquet file a row group at a time: memory holds one
 * row group, never the file. Only selected columns are decoded. Resumable
 * by row: whole row groups before the saved row are skipped unread.
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
          const decoded = await readRowGroup({ file, metadata: decoding, columns, rowStart, rowEnd: groupEnd }, { path: entry.path, group: index });
          // Each column's values looked up once a group, not once a cell.
          const groupColumns = columnReaders.map(([name, read]): GroupColumn => ({ name, read, decoded: decoded.get(name) }));
          for (let row = rowStart; row < groupEnd; row += 1) {
            const item = recordOf(groupColumns, row);
            if (item !== undefined) yield item;
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
