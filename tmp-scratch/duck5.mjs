import { rmSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
const cols = `id bigint, name varchar, email varchar, score double, active boolean, created_at timestamptz, city varchar, balance double`;
const names = `id, name, email, score, active, created_at, city, balance`;
const variants = {
  nopk_insert: [cols, (f) => `insert into t select * from read_parquet('${f}')`],
  pk_insert: [cols + ", primary key (id)", (f) => `insert into t select * from read_parquet('${f}')`],
  pk_conflict: [cols + ", primary key (id)", (f) => `insert into t (${names}) select ${names} from read_parquet('${f}') on conflict (id) do update set name = excluded.name, email=excluded.email, score=excluded.score, active=excluded.active, created_at=excluded.created_at, city=excluded.city, balance=excluded.balance`],
  pk_conflict_dedupe: [cols + ", primary key (id)", (f) => `insert into t (${names}) select ${names} from (select *, row_number() over (partition by id order by file_row_number desc) as n from read_parquet('${f}', file_row_number=true)) where n = 1 on conflict (id) do update set name = excluded.name, email=excluded.email, score=excluded.score, active=excluded.active, created_at=excluded.created_at, city=excluded.city, balance=excluded.balance`],
};
for (const [name, [ddl, sql]] of Object.entries(variants)) {
  rmSync("/tmp/d5.duckdb", { force: true }); rmSync("/tmp/d5.duckdb.wal", { force: true });
  const inst = await DuckDBInstance.create("/tmp/d5.duckdb"); const c = await inst.connect();
  await c.run(`create table t (${ddl})`);
  const t = performance.now();
  for (let j = 0; j < 10; j++) { await c.run("begin"); await c.run(sql(`/tmp/batch-${j}.parquet`)); await c.run("commit"); }
  console.log(name, (performance.now() - t).toFixed(0), "ms");
  c.closeSync(); inst.closeSync();
}
