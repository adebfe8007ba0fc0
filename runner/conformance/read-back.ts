import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "csv-parse/sync";
import { openSqlite, UsageError } from "../../protocol/index.js";
import { runCommandToEnd } from "../process/spawn-command.js";
import { RunnerCodes } from "../errors.js";

export type ReadBack = () => Promise<Array<{ stream: string; record: Record<string, unknown> }>>;

function sqliteReader(file: string, streams: readonly string[]): ReadBack {
  return async () => {
    if (!existsSync(file)) return [];
    const db = openSqlite(file, { readonly: true, fileMustExist: true });
    try {
      return streams.flatMap((stream) => {
        const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(stream);
        return exists === undefined
          ? []
          : (db.prepare(`SELECT * FROM "${stream.replaceAll('"', '""')}"`).all() as Array<Record<string, unknown>>).map((record) => ({ stream, record }));
      });
    } finally {
      db.close();
    }
  };
}

function filesOf(dir: string, stream: string, extension: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name === `${stream}${extension}` || (name.startsWith(`${stream}-`) && name.endsWith(extension)))
    .map((name) => join(dir, name));
}

function jsonlReader(dir: string, streams: readonly string[]): ReadBack {
  return async () =>
    streams.flatMap((stream) =>
      filesOf(dir, stream, ".jsonl").flatMap((file) =>
        readFileSync(file, "utf8")
          .split("\n")
          .filter((line) => line.trim() !== "")
          .flatMap((line) => {
            try {
              return [{ stream, record: JSON.parse(line) as Record<string, unknown> }];
            } catch {
              return []; // a line being written right now
            }
          }),
      ),
    );
}

function csvReader(dir: string, streams: readonly string[]): ReadBack {
  return async () =>
    streams.flatMap((stream) =>
      filesOf(dir, stream, ".csv").flatMap((file) => {
        try {
          return (parse(readFileSync(file, "utf8"), { columns: true, relax_column_count: true }) as Array<Record<string, unknown>>).map((record) => ({
            stream,
            record,
          }));
        } catch {
          return [];
        }
      }),
    );
}

/** A value hyparquet read, as JSON would hold it: 64-bit integers as numbers, timestamps as ISO text. */
function parquetJson(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(parquetJson);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, parquetJson(item)]));
  return value;
}

/** `read`, tried again every 20 ms for up to 5 s while it fails (a file a target is writing right now). */
async function retried<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 250) throw error;
      await new Promise((done) => setTimeout(done, 20));
    }
  }
}

function parquetReader(dir: string, streams: readonly string[]): ReadBack {
  return async () => {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetRead } = await import("hyparquet");
    const rows: Array<{ stream: string; record: Record<string, unknown> }> = [];
    for (const stream of streams) {
      for (const path of filesOf(dir, stream, ".parquet")) {
        // A file being appended to has no footer at its end until the batch is written: opened again until it has.
        const { file, metadata } = await retried(async () => {
          const opened = await asyncBufferFromFile(path);
          return { file: opened, metadata: await parquetMetadataAsync(opened) };
        });
        const names = metadata.schema
          .slice(1)
          .filter((element) => element.num_children === undefined || element.num_children === 0)
          .map((element) => element.name);
        const arrays = await new Promise<unknown[][]>((resolve, reject) => {
          parquetRead({ file, metadata, rowFormat: "array", onComplete: (read) => resolve(read as unknown[][]) }).catch(reject);
        });
        for (const values of arrays) {
          // Built field by field: a column named __proto__ is the record's own field.
          const record: Record<string, unknown> = {};
          for (const [index, name] of names.entries()) {
            Object.defineProperty(record, name, { value: parquetJson(values[index]), enumerable: true, writable: true, configurable: true });
          }
          rows.push({ stream, record });
        }
      }
    }
    return rows;
  };
}

/** DuckDB's text of a TIMESTAMPTZ in UTC (`2024-01-10 17:57:34.5+00`) as ISO 8601. */
function isoTimestamp(value: unknown): unknown {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?\+00$/.test(value) ? `${value.slice(0, -3).replace(" ", "T")}Z` : value;
}

/**
 * Tables of a DuckDB database (schema main, or `FILE?schema=NAME`), read
 * only. DuckDB lets one process open a file while another writes it only
 * between the writer's batches (target-duckdb's release_between_batches):
 * a read that meets the writer's lock tries again, for up to 30 s.
 */
function duckdbReader(location: string, streams: readonly string[]): ReadBack {
  const [file = "", query = ""] = location.split("?");
  const schema = new URLSearchParams(query).get("schema") ?? "main";
  return async () => {
    if (!existsSync(file)) return [];
    const { DuckDBInstance } = await import("@duckdb/node-api");
    for (let attempt = 0; ; attempt += 1) {
      let instance;
      try {
        instance = await DuckDBInstance.create(file, { access_mode: "READ_ONLY" });
      } catch (error) {
        if (attempt >= 300 || !/lock/i.test((error as Error).message)) throw error;
        await new Promise((done) => setTimeout(done, 100));
        continue;
      }
      const connection = await instance.connect();
      try {
        await connection.run("SET TimeZone = 'UTC'");
        const rows: Array<{ stream: string; record: Record<string, unknown> }> = [];
        const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
        for (const stream of streams) {
          const exists = await connection.runAndReadAll(
            `SELECT 1 FROM duckdb_tables() WHERE lower(schema_name) = lower($1) AND lower(table_name) = lower($2)`,
            [schema, stream],
          );
          if (exists.currentRowCount === 0) continue;
          const result = await connection.runAndReadAll(`SELECT to_json(t)::VARCHAR FROM ${quoted(schema)}.${quoted(stream)} t`);
          for (const [text] of result.getRows()) {
            const record = JSON.parse(String(text)) as Record<string, unknown>;
            rows.push({ stream, record: Object.fromEntries(Object.entries(record).map(([key, value]) => [key, isoTimestamp(value)])) });
          }
        }
        return rows;
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    }
  };
}

/**
 * Tables of a Postgres database: `postgres:postgres://user@host/db`, with
 * `?schema=NAME` for tables outside `public`. Rows come back as JSON
 * (to_json), as a user's query would see them.
 */
function postgresReader(location: string, streams: readonly string[]): ReadBack {
  return async () => {
    const url = new URL(location);
    const schema = url.searchParams.get("schema") ?? "public";
    url.searchParams.delete("schema");
    const { default: driver } = await import("pg");
    const client = new driver.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const rows: Array<{ stream: string; record: Record<string, unknown> }> = [];
      for (const stream of streams) {
        const exists = await client.query("SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2", [schema, stream]);
        if (exists.rowCount === 0) continue;
        const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;
        const result = await client.query<{ row: Record<string, unknown> }>(`SELECT to_json(t) AS row FROM ${quoted(schema)}.${quoted(stream)} t`);
        for (const { row } of result.rows) rows.push({ stream, record: row });
      }
      return rows;
    } finally {
      await client.end();
    }
  };
}

function commandReader(command: string, cwd: string): ReadBack {
  return async () => {
    const result = await runCommandToEnd(command, [], { cwd, timeoutMs: 60_000 });
    return result.stdout
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as { stream: string; record: Record<string, unknown> });
  };
}

/** A way to read back what a target wrote: `sqlite:FILE`, `jsonl:DIR`, `csv:DIR`, `parquet:DIR`, `duckdb:FILE`, `postgres:URL`, or a reader command. */
export function readBackFrom(read: string | undefined, reader: string | undefined, streams: readonly string[], cwd: string): ReadBack | undefined {
  if (reader !== undefined) return commandReader(reader, cwd);
  if (read === undefined) return undefined;
  const [kind, ...rest] = read.split(":");
  if (kind === "postgres") return postgresReader(rest.join(":"), streams);
  // Relative to the working directory; an absolute path stays as it is.
  const where = resolve(cwd, rest.join(":"));
  if (kind === "sqlite") return sqliteReader(where, streams);
  if (kind === "jsonl") return jsonlReader(where, streams);
  if (kind === "csv") return csvReader(where, streams);
  if (kind === "parquet") return parquetReader(where, streams);
  if (kind === "duckdb") return duckdbReader(where, streams);
  throw new UsageError(RunnerCodes.USAGE, `--read ${read}: expected sqlite:FILE, jsonl:DIR, csv:DIR, parquet:DIR, duckdb:FILE or postgres:URL`, {
    hint: "Or name a command with --reader.",
  });
}
