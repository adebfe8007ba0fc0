import {
  flatten,
  parquetRead,
  parquetSchema,
  type AsyncBuffer,
  type ColumnChunk,
  type ColumnData,
  type DecodedArray,
  type FileMetaData,
  type SchemaTree,
} from "hyparquet";
// Page by page needs hyparquet's page reader, which its package exports under src/ (pinned to its minor version).
import { parquetHeader, readPage } from "hyparquet/src/column.js";
import { convert, DEFAULT_PARSERS } from "hyparquet/src/convert.js";
import { getTreePath, isFlatColumn } from "hyparquet/src/schema.js";
import type { ColumnDecoder, DataReader } from "hyparquet/src/types.js";
import { FatalError } from "../../protocol/tap.js";
import { TapParquetCodes } from "./codes.js";
import { READ_OPTIONS } from "./parquet-values.js";

/**
 * A row group's columns, decoded a page at a time as its rows are sent.
 * Records are made from the columns' current pages; a page is dropped once
 * every row it holds is sent. So memory holds about a page of each column
 * (writers cut pages at about 1 MiB), never the group: a file of one
 * 1M-row group would otherwise be held whole, decoded, at once.
 */

/** Decoded values of a column, from row `start` of the file on. */
export interface DecodedColumn {
  readonly start: number;
  readonly values: DecodedArray;
}

/** Where one column's values come from while a row group is sent. */
export interface ColumnSource {
  /** The decoded values holding the file's row `row` (rows are asked for in order), or undefined when the column holds none there. */
  valuesAt(row: number): DecodedColumn | undefined;
}

/** The row group being read: its rows of the file [groupStart, groupEnd), sent from rowStart. */
export interface GroupRead {
  readonly file: AsyncBuffer;
  /** The metadata to decode with (see withRawDecimals). */
  readonly metadata: FileMetaData;
  readonly path: string;
  readonly group: number;
  readonly groupStart: number;
  readonly rowStart: number;
}

function damaged(read: GroupRead, column: string, error: unknown): FatalError {
  const reason = error instanceof Error ? error.message : String(error);
  return new FatalError(TapParquetCodes.PARQUET_DAMAGED, `row group ${read.group + 1}, column ${column}, cannot be read (${reason})`, {
    where: { file: read.path },
    hint: "The file is damaged or uses a feature the reader lacks: write it again, or leave that column out of the catalog.",
    cause: error,
  });
}

/**
 * A column of one leaf value per row (no list, no struct): its column
 * chunk's compressed bytes are read once, and each data page is decoded
 * when the rows before it have been sent. nextPage is hyparquet's own page
 * loop (readColumn in its column.js) for such a column, one page a call:
 * that loop decodes every page of the chunk before it returns.
 */
class PagedColumn implements ColumnSource {
  private readonly reader: DataReader;
  private dictionary: DecodedArray | undefined;
  /** Rows of the group passed so far, pages decoded or skipped. */
  private rowCount = 0;
  private current: DecodedColumn | undefined;

  constructor(
    bytes: ArrayBuffer,
    private readonly decoder: ColumnDecoder,
    private readonly read: GroupRead,
    private readonly groupRows: number,
  ) {
    this.reader = { view: new DataView(bytes), offset: 0 };
  }

  valuesAt(row: number): DecodedColumn {
    while (this.current === undefined || this.current.start + this.current.values.length <= row) {
      try {
        this.current = this.nextPage();
      } catch (error) {
        throw damaged(this.read, this.name, error);
      }
      if (this.current === undefined)
        throw damaged(this.read, this.name, new Error(`its pages end at row ${this.read.groupStart + this.rowCount} of the file, before row ${row + 1}`));
    }
    return this.current;
  }

  private get name(): string {
    return this.decoder.pathInSchema.join(".");
  }

  /** The next data page's values (pages wholly before the first row sent are skipped undecoded), or undefined past the last. */
  private nextPage(): DecodedColumn | undefined {
    const { reader, decoder } = this;
    const selectStart = this.read.rowStart - this.read.groupStart;
    while (this.rowCount < this.groupRows && reader.offset < reader.view.byteLength - 1) {
      const header = parquetHeader(reader);
      if (header.type === "DICTIONARY_PAGE") {
        const { data } = readPage(reader, header, decoder, undefined, undefined, 0);
        if (data !== undefined) this.dictionary = convert(data, decoder);
        continue;
      }
      const page = readPage(reader, header, decoder, this.dictionary, undefined, selectStart - this.rowCount);
      const start = this.read.groupStart + this.rowCount;
      if (page.skipped) {
        this.rowCount += page.skipped;
      } else if (page.data !== undefined && page.data.length > 0) {
        this.rowCount += page.data.length;
        return { start, values: page.data };
      }
    }
    return undefined;
  }
}

/** A column decoded for the whole group at once: lists, structs and maps, whose rows hyparquet assembles from all their pages. */
class WholeColumn implements ColumnSource {
  constructor(private readonly decoded: DecodedColumn | undefined) {}

  valuesAt(row: number): DecodedColumn | undefined {
    const decoded = this.decoded;
    return decoded !== undefined && row >= decoded.start && row < decoded.start + decoded.values.length ? decoded : undefined;
  }
}

async function wholeColumn(read: GroupRead, name: string, rowEnd: number): Promise<WholeColumn> {
  const chunks: ColumnData[] = [];
  try {
    await parquetRead({
      file: read.file,
      metadata: read.metadata,
      columns: [name],
      rowStart: read.rowStart,
      rowEnd,
      ...READ_OPTIONS,
      onChunk: (chunk) => chunks.push(chunk),
    });
  } catch (error) {
    throw damaged(read, name, error);
  }
  // hyparquet hands a column's chunks over in row order.
  const first = chunks[0];
  return new WholeColumn(first === undefined ? undefined : { start: first.rowStart, values: flatten(chunks.map((chunk) => chunk.columnData)) });
}

/** The column decoder hyparquet's own row group reader builds for a chunk. */
function decoderOf(chunk: ColumnChunk, tree: SchemaTree): ColumnDecoder | undefined {
  const meta = chunk.meta_data;
  if (meta === undefined || chunk.file_path !== undefined) return undefined;
  const schemaPath = getTreePath(tree, meta.path_in_schema);
  const element = schemaPath[schemaPath.length - 1]?.element;
  if (element === undefined || !isFlatColumn(schemaPath)) return undefined;
  return {
    ...READ_OPTIONS,
    pathInSchema: meta.path_in_schema,
    element,
    schemaPath,
    type: meta.type,
    codec: meta.codec,
    parsers: { ...DEFAULT_PARSERS, ...READ_OPTIONS.parsers },
  };
}

/** The byte range of a column chunk, its dictionary page included (as hyparquet reads it). */
function chunkRange(chunk: ColumnChunk): { start: number; end: number } {
  const meta = chunk.meta_data as NonNullable<ColumnChunk["meta_data"]>;
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/** A source for each of `columns` (top-level names) over the group's rows from read.rowStart; a column the group lacks has none. */
export async function groupColumnSources(read: GroupRead, columns: readonly string[]): Promise<Map<string, ColumnSource>> {
  const group = read.metadata.row_groups[read.group];
  if (group === undefined) throw damaged(read, columns[0] ?? "?", new Error("no such row group"));
  const groupRows = Number(group.num_rows);
  const tree = parquetSchema(read.metadata);
  const sources = new Map<string, ColumnSource>();
  for (const name of columns) {
    const chunks = group.columns.filter((chunk) => chunk.meta_data?.path_in_schema[0] === name);
    if (chunks.length === 0) continue;
    let decoder: ColumnDecoder | undefined;
    try {
      decoder = chunks.length === 1 ? decoderOf(chunks[0] as ColumnChunk, tree) : undefined;
    } catch (error) {
      throw damaged(read, name, error);
    }
    if (decoder === undefined) {
      sources.set(name, await wholeColumn(read, name, read.groupStart + groupRows));
      continue;
    }
    const { start, end } = chunkRange(chunks[0] as ColumnChunk);
    let bytes: ArrayBuffer;
    try {
      bytes = await read.file.slice(start, end);
    } catch (error) {
      throw damaged(read, name, error);
    }
    sources.set(name, new PagedColumn(bytes, decoder, read, groupRows));
  }
  return sources;
}
