import { rmSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
for (const per of [1, 2, 5]) {
  rmSync("/tmp/d.duckdb", { force: true }); rmSync("/tmp/d.duckdb.wal", { force: true });
  const inst = await DuckDBInstance.create("/tmp/d.duckdb"); const c = await inst.connect();
  await c.run(`create table t (id bigint, name varchar, email varchar, score double, active boolean, created_at timestamptz, city varchar, balance double)`);
  const t = performance.now();
  for (let j = 0; j < 10; j += per) {
    const files = Array.from({length: per}, (_, k) => `'/tmp/batch-${j+k}.parquet'`).join(",");
    await c.run("begin"); await c.run(`insert into t select * from read_parquet([${files}])`); await c.run("commit");
  }
  console.log(per * 100, "k per commit:", (performance.now() - t).toFixed(0), "ms");
  c.closeSync(); inst.closeSync();
}
