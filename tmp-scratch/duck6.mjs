import { rmSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
const cols = `id bigint, name varchar, email varchar, score double, active boolean, created_at timestamptz, city varchar, balance double`;
const names = `id, name, email, score, active, created_at, city, balance`;
const src = (f, j) => `select id + ${j} * 1000000 as id, name, email, score, active, created_at, city, balance from read_parquet('${f}')`;
const variants = {
  pk_conflict: [cols + ", primary key (id)", async (c, f, j) => c.run(`insert into t (${names}) select ${names} from (${src(f,j)}) on conflict (id) do update set name = excluded.name, email=excluded.email, score=excluded.score, active=excluded.active, created_at=excluded.created_at, city=excluded.city, balance=excluded.balance`)],
  delete_insert: [cols, async (c, f, j) => { await c.run(`create temp table b as ${src(f,j)}`); await c.run(`delete from t where id in (select id from b)`); await c.run(`insert into t select * from b`); await c.run("drop table b"); }],
  delete_insert_dedupe: [cols, async (c, f, j) => { await c.run(`create temp table b as select * exclude (n) from (select *, row_number() over (partition by id order by file_row_number desc) as n from (select *, ${j} from read_parquet('${f}', file_row_number=true))) where n = 1`); await c.run(`delete from t where id in (select id from b)`); await c.run(`insert into t select ${names} from b`); await c.run("drop table b"); }],
  delete_insert_argmax: [cols, async (c, f, j) => { await c.run(`create temp table b as select id + ${j} * 1000000 as id, name, email, score, active, created_at, city, balance from read_parquet('${f}')`); const d = await c.runAndReadAll(`select count(*) = count(distinct id) from b`); await c.run(`delete from t where id in (select id from b)`); await c.run(`insert into t select * from b`); await c.run("drop table b"); }],
};
for (const [name, [ddl, load]] of Object.entries(variants)) {
  rmSync("/tmp/d6.duckdb", { force: true }); rmSync("/tmp/d6.duckdb.wal", { force: true });
  const inst = await DuckDBInstance.create("/tmp/d6.duckdb"); const c = await inst.connect();
  await c.run(`create table t (${ddl})`);
  const t = performance.now(); let mid = 0;
  for (let j = 0; j < 50; j++) { if (j === 10) mid = performance.now() - t; await c.run("begin"); await load(c, `/tmp/batch-${j % 10}.parquet`, j); await c.run("commit"); }
  console.log(name, "first 1M:", mid.toFixed(0), "ms; 5M:", (performance.now() - t).toFixed(0), "ms");
  c.closeSync(); inst.closeSync();
}
