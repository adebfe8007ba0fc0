import { openAsBlob, writeFileSync, rmSync } from "node:fs";
import * as pw from "parquet-wasm/node";
import { DuckDBInstance } from "@duckdb/node-api";
const f = await pw.ParquetFile.fromFile(await openAsBlob("/tmp/pw-bench.parquet"));
const stream = await f.stream({ batchSize: 100_000 });
const parts = [];
for await (const batch of stream) parts.push(batch.intoIPCStream());
for (const mode of ["persistent", "per-batch"]) {
  rmSync("/tmp/d.duckdb", { force: true }); rmSync("/tmp/d.duckdb.wal", { force: true });
  const t = performance.now();
  let inst = await DuckDBInstance.create("/tmp/d.duckdb"); let c = await inst.connect();
  await c.run(`create table t (id bigint, name varchar, email varchar, score double, active boolean, created_at timestamptz, city varchar, balance double)`);
  let enc = 0;
  for (const ipc of parts) {
    const e0 = performance.now();
    const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setDictionaryEnabled(false).setStatisticsEnabled(pw.EnabledStatistics.Chunk).build();
    writeFileSync("/tmp/batch.parquet", pw.writeParquet(pw.Table.fromIPCStream(ipc), props));
    enc += performance.now() - e0;
    if (mode === "per-batch") { inst = await DuckDBInstance.create("/tmp/d.duckdb"); c = await inst.connect(); }
    await c.run("begin");
    await c.run(`insert into t select * from read_parquet('/tmp/batch.parquet')`);
    await c.run("commit");
    if (mode === "per-batch") { c.closeSync(); inst.closeSync(); }
  }
  console.log(mode, (performance.now() - t).toFixed(0), "ms; encode", enc.toFixed(0));
  if (mode === "persistent") { c.closeSync(); inst.closeSync(); }
}
