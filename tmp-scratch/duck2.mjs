import { openAsBlob, writeFileSync, rmSync } from "node:fs";
import * as pw from "parquet-wasm/node";
import { DuckDBInstance } from "@duckdb/node-api";
const f = await pw.ParquetFile.fromFile(await openAsBlob("/tmp/pw-bench.parquet"));
const stream = await f.stream({ batchSize: 100_000 });
let i = 0;
for await (const batch of stream) { const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setDictionaryEnabled(false).setStatisticsEnabled(pw.EnabledStatistics.Chunk).build(); writeFileSync(`/tmp/batch-${i++}.parquet`, pw.writeParquet(pw.Table.fromIPCStream(batch.intoIPCStream()), props)); }
for (const variant of ["plain", "noorder", "mem", "ctas"]) {
  rmSync("/tmp/d.duckdb", { force: true }); rmSync("/tmp/d.duckdb.wal", { force: true });
  const inst = await DuckDBInstance.create(variant === "mem" ? ":memory:" : "/tmp/d.duckdb"); const c = await inst.connect();
  if (variant === "noorder") await c.run("set preserve_insertion_order=false");
  await c.run(`create table t (id bigint, name varchar, email varchar, score double, active boolean, created_at timestamptz, city varchar, balance double)`);
  const t = performance.now();
  for (let j = 0; j < i; j++) {
    if (variant === "ctas") { await c.run(`create temp table s${j} as select * from read_parquet('/tmp/batch-${j}.parquet')`); continue; }
    await c.run("begin"); await c.run(`insert into t select * from read_parquet('/tmp/batch-${j}.parquet')`); await c.run("commit");
  }
  console.log(variant, (performance.now() - t).toFixed(0), "ms");
  c.closeSync(); inst.closeSync();
}
