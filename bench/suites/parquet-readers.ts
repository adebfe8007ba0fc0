import { openAsBlob, rmSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { ParquetFile } from "parquet-wasm/node";
import { writeBenchParquet } from "../files.js";
import { formatRate } from "../measure.js";

/**
 * hyparquet against parquet-wasm, both reading row group by row group from
 * disk into plain JS row objects (what a tap emits), in this process.
 */
export async function runParquetReaderBench(path: string, rows: number): Promise<string> {
  writeBenchParquet(path, rows);
  const results: Array<[string, number, number]> = [];

  global.gc?.();
  let start = performance.now();
  let baseline = process.memoryUsage().rss;
  let peak = baseline;
  let seen = 0;
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    const objects = await parquetReadObjects({ file, metadata, rowStart: groupStart, rowEnd: groupEnd });
    seen += objects.length;
    peak = Math.max(peak, process.memoryUsage().rss);
    groupStart = groupEnd;
  }
  if (seen !== rows) throw new Error(`hyparquet read ${seen} of ${rows} rows`);
  results.push(["hyparquet (parquetReadObjects per row group)", (performance.now() - start) / 1000, peak - baseline]);

  global.gc?.();
  start = performance.now();
  baseline = process.memoryUsage().rss;
  peak = baseline;
  seen = 0;
  const wasmFile = await ParquetFile.fromFile(await openAsBlob(path));
  const stream = await wasmFile.stream({ batchSize: 100_000 });
  for await (const batch of stream as unknown as AsyncIterable<{ intoIPCStream(): Uint8Array }>) {
    const table = tableFromIPC(batch.intoIPCStream());
    for (const row of table) {
      row?.toJSON();
      seen += 1;
    }
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  if (seen !== rows) throw new Error(`parquet-wasm read ${seen} of ${rows} rows`);
  results.push(["parquet-wasm (stream of record batches → apache-arrow rows)", (performance.now() - start) / 1000, peak - baseline]);

  rmSync(path, { force: true });
  const lines = [
    `${rows.toLocaleString("en")} rows, 8 columns, row groups of 100,000.`,
    "",
    "| reader | seconds | rows/s | RSS growth MB |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const [name, seconds, growth] of results)
    lines.push(`| ${name} | ${seconds.toFixed(2)} | ${formatRate(rows / seconds)} | ${(growth / 2 ** 20).toFixed(0)} |`);
  return lines.join("\n");
}
