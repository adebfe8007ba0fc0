import { openAsBlob, openSync, writeSync, fsyncSync, closeSync } from "node:fs";
import * as pw from "parquet-wasm/node";
import { parquetMetadata } from "hyparquet";
import { ByteWriter } from "hyparquet-writer";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { DuckDBInstance } from "@duckdb/node-api";
const f = await pw.ParquetFile.fromFile(await openAsBlob("/tmp/pw-bench.parquet"));
const stream = await f.stream({ batchSize: 100_000 });
const parts = [];
for await (const batch of stream) parts.push(batch.intoIPCStream());
const t = performance.now();
const fd = openSync("/tmp/merged.parquet", "w");
let offset = 0;
const write = (b) => { writeSync(fd, b); offset += b.length; };
write(Buffer.from("PAR1"));
const rowGroups = []; let schema, kv; let numRows = 0n;
let metaMs = 0;
for (const ipc of parts) {
  const table = pw.Table.fromIPCStream(ipc);
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setDictionaryEnabled(false).setStatisticsEnabled(pw.EnabledStatistics.Chunk).build();
  const bytes = pw.writeParquet(table, props);
  const m0 = performance.now();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const metaLen = view.getUint32(bytes.length - 8, true);
  const footerStart = bytes.length - 8 - metaLen;
  const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const shift = BigInt(offset - 4);
  for (const rg of meta.row_groups) {
    for (const c of rg.columns) {
      c.file_offset += shift;
      const md = c.meta_data;
      md.data_page_offset += shift;
      if (md.dictionary_page_offset !== undefined) md.dictionary_page_offset += shift;
      if (md.index_page_offset !== undefined) md.index_page_offset += shift;
      if (c.offset_index_offset !== undefined) c.offset_index_offset += shift;
      if (c.column_index_offset !== undefined) c.column_index_offset += shift;
    }
    if (rg.file_offset !== undefined) rg.file_offset += shift;
    rowGroups.push(rg);
  }
  schema ??= meta.schema; kv ??= meta.key_value_metadata; numRows += meta.num_rows;
  write(bytes.subarray(4, footerStart));
  const bw = new ByteWriter();
  writeMetadata(bw, { version: 2, created_by: "agora", schema, num_rows: numRows, row_groups: rowGroups, key_value_metadata: kv });
  bw.appendUint32(0x31524150);
  const footer = new Uint8Array(bw.getBuffer ? bw.getBuffer() : bw.buffer.slice(0, bw.index));
  metaMs += performance.now() - m0;
  write(footer); // footer stays in the middle; the next row group follows it
  fsyncSync(fd);
}
closeSync(fd);
console.log("wrote", (performance.now() - t).toFixed(0), "ms, metadata", metaMs.toFixed(0), "ms");
const db = await DuckDBInstance.create(":memory:"); const c = await db.connect();
const r = await c.runAndReadAll("select count(*), sum(id), min(created_at), max(name), count(city), sum(balance) from read_parquet('/tmp/merged.parquet')");
console.log(r.getRows().map(String));
const r2 = await c.runAndReadAll("select count(*), sum(id), min(created_at), max(name), count(city), sum(balance) from read_parquet('/tmp/pw-bench.parquet')");
console.log(r2.getRows().map(String));
