import { openAsBlob } from "node:fs";
import * as pw from "parquet-wasm/node";
const path = "/tmp/pw-bench.parquet";
const f = await pw.ParquetFile.fromFile(await openAsBlob(path));
const stream = await f.stream({ batchSize: 100_000 });
const parts = [];
for await (const batch of stream) parts.push(batch.intoIPCStream());
const variants = {
  default: () => undefined,
  snappy: () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build(),
  uncompressed: () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.UNCOMPRESSED).build(),
  snappyNoDict: () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setDictionaryEnabled(false).build(),
  snappyNoStats: () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setStatisticsEnabled(pw.EnabledStatistics.None).build(),
  zstd: () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build(),
  lz4: () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.LZ4_RAW).build(),
};
for (const [name, props] of Object.entries(variants)) {
  const t = performance.now(); let out = 0;
  for (const ipc of parts) { const table = pw.Table.fromIPCStream(ipc); const p = props(); out += pw.writeParquet(table, p).length; }
  console.log(name, (performance.now() - t).toFixed(0), "ms", (out / 2 ** 20).toFixed(1), "MiB");
}
