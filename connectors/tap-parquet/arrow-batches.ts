import { openAsBlob } from "node:fs";
import { ArrowBatch, columnFitsProperty, decodeArrowBatch, FatalError, loadParquetWasm, type JsonSchema, type Logger } from "../../protocol/index.js";

export interface ArrowReadPlan {
  readonly path: string;
  readonly stream: string;
  /** The selected columns, in the order of the announced schema. */
  readonly columns: readonly string[];
  readonly properties: Readonly<Record<string, JsonSchema>>;
  /** Rows already consumed (the bookmark), skipped unread where whole row groups allow. */
  readonly start: number;
  readonly logger: Logger;
}

/**
 * The file's selected columns as Arrow record batches, one per row group
 * (from `start`), decoded by parquet-wasm straight into Arrow IPC bytes: no
 * JavaScript value is made per row. Undefined when a selected column has an
 * Arrow type the batch lane does not carry (decimals, times, binary,
 * nested), so the caller reads records instead. Memory holds one row group.
 */
export async function parquetArrowBatches(plan: ArrowReadPlan): Promise<AsyncIterable<ArrowBatch> | undefined> {
  if (plan.columns.length === 0) return undefined;
  const { ParquetFile } = await loadParquetWasm();
  let file;
  try {
    file = await ParquetFile.fromFile(await openAsBlob(plan.path));
  } catch (error) {
    throw new FatalError("PARQUET_INVALID", `not a readable Parquet file (${(error as Error).message})`, { where: { file: plan.path, stream: plan.stream }, hint: "Check that the file is Parquet and not truncated.", cause: error });
  }
  const probe = await file.read({ columns: [...plan.columns], limit: 0 });
  const { columns } = await decodeArrowBatch(probe.intoIPCStream());
  const unfit = columns.find((column) => column.kind === undefined || !columnFitsProperty(column.kind, plan.properties[column.name]));
  if (unfit !== undefined || columns.length !== plan.columns.length) {
    plan.logger.info(`stream ${plan.stream}: column ${JSON.stringify(unfit?.name ?? "?")} (${unfit?.type ?? "missing"}) cannot travel in an Arrow batch as it is; writing its records to the batch files instead`);
    file.free();
    return undefined;
  }
  const metadata = file.metadata();
  const groups = metadata.numRowGroups();
  const groupRows = Array.from({ length: groups }, (_, index) => metadata.rowGroup(index).numRows());
  return (async function* () {
    try {
      let groupStart = 0;
      for (let group = 0; group < groups; group += 1) {
        const rows = groupRows[group] as number;
        const groupEnd = groupStart + rows;
        if (groupEnd > plan.start && rows > 0) {
          const offset = Math.max(0, plan.start - groupStart);
          const table = await file.read({ rowGroups: [group], columns: [...plan.columns], offset, batchSize: rows });
          yield new ArrowBatch(table.intoIPCStream(), groupEnd - groupStart - offset, { path: plan.path, row: groupEnd });
        }
        groupStart = groupEnd;
      }
    } finally {
      file.free();
    }
  })();
}
