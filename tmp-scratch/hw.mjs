import { openAsBlob } from "node:fs";
import * as pw from "parquet-wasm/node";
import { tableFromIPC } from "apache-arrow";
import { ParquetWriter, fileWriter, ByteWriter } from "hyparquet-writer";
const f = await pw.ParquetFile.fromFile(await openAsBlob("/tmp/pw-bench.parquet"));
const stream = await f.stream({ batchSize: 100_000 });
const parts = [];
for await (const batch of stream) parts.push(batch.intoIPCStream());
const t = performance.now(); 
const schema = [{name:"root", num_children: 8}, {name:"id", type:"INT64", repetition_type:"OPTIONAL"},{name:"name", type:"BYTE_ARRAY", converted_type:"UTF8", repetition_type:"OPTIONAL"},{name:"email", type:"BYTE_ARRAY", converted_type:"UTF8", repetition_type:"OPTIONAL"},{name:"score", type:"DOUBLE", repetition_type:"OPTIONAL"},{name:"active", type:"BOOLEAN", repetition_type:"OPTIONAL"},{name:"created_at", type:"INT64", converted_type:"TIMESTAMP_MILLIS", repetition_type:"OPTIONAL"},{name:"city", type:"BYTE_ARRAY", converted_type:"UTF8", repetition_type:"OPTIONAL"},{name:"balance", type:"DOUBLE", repetition_type:"OPTIONAL"}];
const w = new ParquetWriter({ writer: fileWriter("/tmp/hw.parquet"), schema, statistics: false });
let conv = 0;
for (const ipc of parts) {
  const c0 = performance.now();
  const table = tableFromIPC(ipc);
  const columnData = table.schema.fields.map((field) => ({ name: field.name, data: Array.from(table.getChild(field.name)), encoding: undefined }));
  conv += performance.now() - c0;
  w.write({ columnData, rowGroupSize: 1e9 });
}
w.finish();
console.log("hyparquet-writer", (performance.now() - t).toFixed(0), "ms; of which arrow→arrays", conv.toFixed(0));
