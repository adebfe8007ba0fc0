import { openAsBlob, writeFileSync, readFileSync } from "node:fs";
import { tableFromIPC } from "apache-arrow";
import * as pw from "parquet-wasm/node";
import { writeBenchParquet } from "/work/main/dist/bench/files.js";
const path = "/tmp/pw-bench.parquet";
const rows = 1_000_000;
writeBenchParquet(path, rows);
let t = performance.now();
const f = await pw.ParquetFile.fromFile(await openAsBlob(path));
console.log("meta", f.metadata().numRowGroups?.() );
const stream = await f.stream({ batchSize: 100_000 });
let n = 0, bytes = 0; const parts = [];
for await (const batch of stream) { const ipc = batch.intoIPCStream(); bytes += ipc.length; n += 1; parts.push(ipc); }
console.log("read→ipc", (performance.now() - t).toFixed(0), "ms", n, "batches", (bytes/2**20).toFixed(1), "MiB");
const tb = tableFromIPC(parts[0]);
console.log(tb.schema.fields.map((f) => `${f.name}:${f.type}`).join(" "));
t = performance.now();
let out = 0;
for (const ipc of parts) { const table = pw.Table.fromIPCStream(ipc); const pq = pw.writeParquet(table); out += pq.length; }
console.log("ipc→parquet", (performance.now() - t).toFixed(0), "ms", (out/2**20).toFixed(1), "MiB");
t = performance.now();
for (const ipc of parts) { const table = tableFromIPC(ipc); for (const c of table.schema.fields) { table.getChild(c.name).toArray(); } }
console.log("apache-arrow toArray", (performance.now() - t).toFixed(0), "ms");
