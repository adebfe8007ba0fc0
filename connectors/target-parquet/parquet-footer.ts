import { parquetMetadata, type FileMetaData, type RowGroup } from "hyparquet";
import { ByteWriter } from "hyparquet-writer";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";

/** "PAR1", the magic at both ends of a Parquet file, as a little-endian uint32. */
export const PARQUET_MAGIC = 0x31524150;

/**
 * A complete Parquet file held in memory (one row group, as parquet-wasm
 * writes a batch), split into what an appending writer needs: the bytes of
 * its column chunks and its metadata.
 */
export interface EncodedRowGroups {
  /** The bytes between the leading magic and the footer: the row groups' column chunks. */
  readonly body: Uint8Array;
  readonly metadata: FileMetaData;
}

/** The metadata of a Parquet file held whole in `bytes`, and its body. */
export function splitParquet(bytes: Uint8Array): EncodedRowGroups {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metadataLength = view.getUint32(bytes.byteLength - 8, true);
  const footerStart = bytes.byteLength - 8 - metadataLength;
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { body: bytes.subarray(4, footerStart), metadata: parquetMetadata(copy) };
}

/** Row groups moved by `shift` bytes: every absolute file offset in their column chunks. */
export function shiftRowGroups(groups: readonly RowGroup[], shift: bigint): RowGroup[] {
  return groups.map((group) => ({
    ...group,
    ...(group.file_offset === undefined ? {} : { file_offset: group.file_offset + shift }),
    columns: group.columns.map((chunk) => ({
      ...chunk,
      file_offset: chunk.file_offset + shift,
      ...(chunk.offset_index_offset === undefined ? {} : { offset_index_offset: chunk.offset_index_offset + shift }),
      ...(chunk.column_index_offset === undefined ? {} : { column_index_offset: chunk.column_index_offset + shift }),
      ...(chunk.meta_data === undefined
        ? {}
        : {
            meta_data: {
              ...chunk.meta_data,
              data_page_offset: chunk.meta_data.data_page_offset + shift,
              ...(chunk.meta_data.dictionary_page_offset === undefined ? {} : { dictionary_page_offset: chunk.meta_data.dictionary_page_offset + shift }),
              ...(chunk.meta_data.index_page_offset === undefined ? {} : { index_page_offset: chunk.meta_data.index_page_offset + shift }),
              ...(chunk.meta_data.bloom_filter_offset === undefined ? {} : { bloom_filter_offset: chunk.meta_data.bloom_filter_offset + shift }),
            },
          }),
    })),
  }));
}

/** A footer: the metadata (thrift), its length, and the closing magic. */
export function footerBytes(metadata: FileMetaData): Uint8Array {
  const writer = new ByteWriter();
  const { metadata_length: _length, ...rest } = metadata;
  // The thrift metadata and its length; then the magic.
  writeMetadata(writer, rest as FileMetaData);
  writer.appendUint32(PARQUET_MAGIC);
  return new Uint8Array(writer.getBuffer());
}

/**
 * The metadata of the file whose footer ends at the end of `tail`, or
 * undefined if `tail` does not end with a complete, readable footer.
 */
export function footerAt(tail: ArrayBuffer): FileMetaData | undefined {
  if (tail.byteLength < 12) return undefined;
  const view = new DataView(tail);
  if (view.getUint32(tail.byteLength - 4, true) !== PARQUET_MAGIC) return undefined;
  try {
    return parquetMetadata(tail);
  } catch {
    return undefined;
  }
}

/**
 * The metadata with the named columns annotated as Parquet's JSON logical
 * type, so a reader (DuckDB, Spark) sees JSON where parquet-wasm wrote the
 * text of objects and arrays as plain strings. Columns are top-level: the
 * batches target-parquet writes are flat.
 */
export function withJsonColumns(metadata: FileMetaData, names: ReadonlySet<string>): FileMetaData {
  if (names.size === 0) return metadata;
  const schema = metadata.schema.map((element, index) =>
    index > 0 && element.num_children === undefined && names.has(element.name)
      ? { ...element, converted_type: "JSON" as const, logical_type: { type: "JSON" as const } }
      : element,
  );
  return { ...metadata, schema };
}

/** A short text of a Parquet schema (names, types, repetition), to tell whether two batches can share a file. */
export function schemaKey(metadata: FileMetaData): string {
  return JSON.stringify(
    metadata.schema.map((element) => [
      element.name,
      element.type ?? null,
      element.repetition_type ?? null,
      element.num_children ?? null,
      element.converted_type ?? null,
      element.logical_type ?? null,
    ]),
    (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value),
  );
}
