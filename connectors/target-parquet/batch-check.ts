import { FatalError, loadParquetWasm } from "../../protocol/index.js";
import type { EncodedRowGroups } from "./parquet-footer.js";
import { TargetParquetCodes } from "./codes.js";

/**
 * Refuses a tap's Parquet batch file whose column chunks could not be read
 * back, before any of it is appended: once copied into a stream's file, a
 * chunk of garbage pages would make the whole file unreadable, its earlier
 * row groups included. Every chunk must lie inside the batch's own body
 * (so its offsets, shifted, point into its own bytes), and every page must
 * decode. Decoding runs in parquet-wasm at about 6M rows/s here, a few
 * times the rate of the copy it guards.
 */
export async function checkParquetBatch(bytes: Uint8Array, encoded: EncodedRowGroups, where: { stream: string; file: string }): Promise<void> {
  const bodyEnd = 4 + encoded.body.byteLength;
  for (const group of encoded.metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined) throw unreadable("a column chunk has no metadata (or lives in another file)", where);
      const start = meta.dictionary_page_offset !== undefined && meta.dictionary_page_offset > 0n ? meta.dictionary_page_offset : meta.data_page_offset;
      if (start < 4n || start + meta.total_compressed_size > BigInt(bodyEnd)) {
        throw unreadable(
          `column ${meta.path_in_schema.join(".")} points at bytes ${start}–${start + meta.total_compressed_size}, outside the file's row groups (4–${bodyEnd})`,
          where,
        );
      }
    }
  }
  const { readParquet } = await loadParquetWasm();
  try {
    readParquet(bytes).free();
  } catch (error) {
    throw unreadable(error instanceof Error ? error.message : String(error), where);
  }
}

function unreadable(reason: string, where: { stream: string; file: string }): FatalError {
  return new FatalError(TargetParquetCodes.BATCH_FILE_UNREADABLE, `cannot read batch file as Parquet: ${reason}; nothing of it was written`, {
    where,
    hint: "The tap wrote a damaged Parquet file: check it with another reader (DuckDB's read_parquet), and fix or re-run the tap.",
  });
}
