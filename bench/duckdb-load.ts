/**
 * DuckDB loading Parquet files by itself, for the lanes suite's yardstick:
 * `node dist/bench/duckdb-load.js DATABASE FILE...` makes one table per
 * file from read_parquet in a transaction each, as durable as
 * target-duckdb's commits, then closes the database.
 */
import { DuckDBInstance } from "@duckdb/node-api";

const [database, ...files] = process.argv.slice(2);
if (database === undefined || files.length === 0) throw new Error("usage: duckdb-load.js DATABASE FILE...");
const instance = await DuckDBInstance.create(database);
const connection = await instance.connect();
for (const [index, file] of files.entries()) {
  await connection.run("BEGIN TRANSACTION");
  await connection.run(`CREATE TABLE users_${index} AS SELECT * FROM read_parquet('${file.replaceAll("'", "''")}')`);
  await connection.run("COMMIT");
}
connection.closeSync();
instance.closeSync();
