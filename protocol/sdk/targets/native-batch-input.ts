import type { BatchMessage } from "../../messages/types.js";
import { readArrowBatchFiles, readParquetBatchFiles } from "./read-batch-files.js";
import type { StreamInfo, TargetWriter } from "./types.js";

/** Starts the writer's preparation of an Arrow batch now; its failure surfaces when the write awaits it. */
function prepareArrow(writer: TargetWriter, stream: StreamInfo, ipc: Uint8Array): Promise<Uint8Array | undefined> {
  const { prepareArrowBatch } = writer;
  if (prepareArrowBatch === undefined) return Promise.resolve(undefined);
  const prepared = (async () => prepareArrowBatch.call(writer, stream, ipc))();
  // Awaited by the write; until then a failure must not count as unhandled.
  prepared.catch(() => undefined);
  return prepared;
}

/**
 * The writes of a BATCH the writer takes as it is (an Arrow or Parquet
 * file it reads natively), one per file, each file checked and read (and an
 * Arrow one's preparation started) as the iteration reaches it; undefined
 * when the writer takes the batch's records instead.
 */
export function nativeBatchFiles(
  writer: TargetWriter,
  message: BatchMessage,
  line: number,
  stream: StreamInfo,
  options: { readonly nativeBatchFormats?: readonly string[] | undefined; readonly batchRoots?: readonly string[] | undefined },
): AsyncIterable<() => Promise<number> | number> | undefined {
  const format = message.encoding.format;
  if (options.nativeBatchFormats?.includes(format) !== true) return undefined;
  const roots = options.batchRoots ?? [];
  const { writeArrowBatch, writeParquetBatch } = writer;
  if (format === "arrow" && writeArrowBatch !== undefined) {
    return (async function* () {
      for await (const file of readArrowBatchFiles(message, line, roots, stream.schema)) {
        const prepared = prepareArrow(writer, stream, file.ipc);
        yield async () => writeArrowBatch.call(writer, stream, file.ipc, file.path, await prepared);
      }
    })();
  }
  if (format === "parquet" && writeParquetBatch !== undefined) {
    return (async function* () {
      for await (const file of readParquetBatchFiles(message, line, roots, stream.schema))
        yield () => writeParquetBatch.call(writer, stream, file.path, file.columns);
    })();
  }
  return undefined;
}
