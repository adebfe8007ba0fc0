import { openAsBlob } from "node:fs";
import { ArrowBatch, columnFitsProperty, decodeArrowBatch, FatalError, loadParquetWasm, type JsonSchema, type Logger } from "../../protocol/tap.js";
import { TapParquetCodes } from "./codes.js";

export interface ArrowReadPlan {
  readonly path: string;
  readonly stream: string;
  /** The selected columns, in the order of the announced schema. */
  readonly columns: readonly string[];
  readonly properties: Readonly<Record<string, JsonSchema>>;
  /** Rows already consumed (the bookmark), skipped unread where whole row groups allow. */
  readonly start: number;
  /** Consecutive row groups go in one batch while it stays within this many rows (a larger group alone). */
  readonly rowsPerFile: number;
  /**
   * Columns the Arrow decoder would change, read as records instead: INT96
   * timestamps, which it makes nanoseconds in 64 bits (a date past 2262
   * wraps to 1816).
   */
  readonly recordsOnly: ReadonlySet<string>;
  readonly logger: Logger;
}

/**
 * The file's selected columns as Arrow record batches (from `start`), one
 * per row group, or per run of consecutive row groups within `rowsPerFile`
 * rows, decoded by parquet-wasm straight into Arrow IPC bytes: no
 * JavaScript value is made per row. Undefined when a selected column has an
 * Arrow type the batch lane does not carry (decimals, times, binary,
 * nested), so the caller reads records instead. Memory holds one batch.
 */
export async function parquetArrowBatches(plan: ArrowReadPlan): Promise<AsyncIterable<ArrowBatch> | undefined> {
  if (plan.columns.length === 0) return undefined;
  const changed = plan.columns.find((name) => plan.recordsOnly.has(name));
  if (changed !== undefined) {
    plan.logger.info(
      `stream ${plan.stream}: column ${JSON.stringify(changed)} (INT96) would lose its range in an Arrow batch; writing its records to the batch files instead`,
    );
    return undefined;
  }
  const { ParquetFile } = await loadParquetWasm();
  let file;
  try {
    file = await ParquetFile.fromFile(await openAsBlob(plan.path));
  } catch (error) {
    throw new FatalError(TapParquetCodes.PARQUET_INVALID, `not a readable Parquet file (${(error as Error).message})`, {
      where: { file: plan.path, stream: plan.stream },
      hint: "Check that the file is Parquet and not truncated.",
      cause: error,
    });
  }
  const probe = await file.read({ columns: [...plan.columns], limit: 0 });
  const { columns } = await decodeArrowBatch(probe.intoIPCStream());
  const unfit = columns.find((column) => column.kind === undefined || !columnFitsProperty(column.kind, plan.properties[column.name]));
  if (unfit !== undefined || columns.length !== plan.columns.length) {
    plan.logger.info(
      `stream ${plan.stream}: column ${JSON.stringify(unfit?.name ?? "?")} (${unfit?.type ?? "missing"}) cannot travel in an Arrow batch as it is; writing its records to the batch files instead`,
    );
    file.free();
    return undefined;
  }
  const metadata = file.metadata();
  const groups = metadata.numRowGroups();
  const groupRows = Array.from({ length: groups }, (_, index) => metadata.rowGroup(index).numRows());
  return (async function* () {
    try {
      let groupStart = 0;
      let group = 0;
      // Skip the row groups the bookmark is past.
      while (group < groups && groupStart + (groupRows[group] as number) <= plan.start) groupStart += groupRows[group++] as number;
      while (group < groups) {
        const offset = Math.max(0, plan.start - groupStart);
        const taken = [group];
        let end = groupStart + (groupRows[group] as number);
        group += 1;
        while (group < groups && end - groupStart - offset + (groupRows[group] as number) <= plan.rowsPerFile) {
          taken.push(group);
          end += groupRows[group] as number;
          group += 1;
        }
        const rows = end - groupStart - offset;
        if (rows > 0) {
          const table = await file.read({ rowGroups: taken, columns: [...plan.columns], offset, batchSize: rows });
          yield new ArrowBatch(table.intoIPCStream(), rows, { path: plan.path, row: end });
        }
        groupStart = end;
      }
    } finally {
      file.free();
    }
  })();
}
