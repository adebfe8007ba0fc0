import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema, type AsyncBuffer, type FileMetaData } from "hyparquet";
import { bookmarked, checkKeysAreColumns, FatalError, savedPosition, sourceFileError, type JsonSchema, type StreamItem, type TapStream } from "../../protocol/index.js";
import type { ParquetConfig, ParquetFileEntry } from "./config.js";
import { parquetArrowBatches } from "./arrow-batches.js";
import { parquetToJsonSchema, toJsonValue } from "./parquet-schema.js";

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
    throw new FatalError("PARQUET_INVALID", `not a readable Parquet file (${(error as Error).message})`, { where: { file: path }, hint: "Check that the file is Parquet and not truncated.", cause: error });
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
  checkKeysAreColumns(entry.keyProperties, Object.keys(properties), { connector: "tap-parquet", stream: entry.stream, file: entry.path });
  return {
    name: entry.stream,
    schema,
    keyProperties: entry.keyProperties,
    resumable: true,
    arrowBatches({ bookmark, schema: announced, logger }, { rowsPerFile }) {
      const start = savedPosition(bookmark, entry.path, "row", (message) => logger.warn(`stream ${entry.stream}: ${message}`));
      const columns = Object.keys((announced["properties"] ?? {}) as object);
      return parquetArrowBatches({ path: entry.path, stream: entry.stream, columns, properties, start, rowsPerFile, logger });
    },
    async *records({ bookmark, schema: announced, logger }): AsyncGenerator<StreamItem> {
      const start = savedPosition(bookmark, entry.path, "row", (message) => logger.warn(`stream ${entry.stream}: ${message}`));
      const { file, metadata: current } = await openParquet(entry.path);
      const columns = Object.keys((announced["properties"] ?? {}) as object);
      const dateColumns = new Set(columns.filter((name) => properties[name]?.["format"] === "date"));
      let groupStart = 0;
      for (const group of current.row_groups) {
        const groupEnd = groupStart + Number(group.num_rows);
        if (groupEnd > start) {
          const rowStart = Math.max(groupStart, start);
          const rows = await parquetReadObjects({ file, metadata: current, columns, rowStart, rowEnd: groupEnd });
          let row = rowStart;
          for (const raw of rows) {
            row += 1;
            const record: Record<string, unknown> = {};
            for (const name of columns) record[name] = toJsonValue(raw[name], dateColumns.has(name));
            yield bookmarked(record, { path: entry.path, row } satisfies ParquetBookmark);
          }
        }
        groupStart = groupEnd;
      }
    },
  };
}
