import { parentPort, workerData } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";
import { sqliteCase, tableNames } from "./sqlite-names.js";

/*
 * The worker thread of TableMaker (table-maker.ts): its own connection to
 * the target's database, creating the tables it is sent, each request in
 * one transaction. A table that exists already is left alone and named in
 * the reply, for the main thread to evolve.
 */

/** A request: CREATE TABLE statements, by table name. */
export interface CreateTablesRequest {
  readonly tables: ReadonlyArray<{ readonly name: string; readonly sql: string }>;
}

/** The reply to each request, in order: the tables that existed already, or what failed. */
export type CreateTablesReply = { readonly existed: string[] } | { readonly error: { readonly message: string; readonly code: string | undefined } };

const { file, busyTimeoutMs } = workerData as { readonly file: string; readonly busyTimeoutMs: number };
const port = parentPort;
if (port === null) throw new Error("create-tables-worker runs as a worker thread");

let db: BetterSqlite3.Database | undefined;

port.on("message", (request: CreateTablesRequest) => {
  let reply: CreateTablesReply;
  try {
    db ??= openForTables();
    reply = { existed: createTables(db, request) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    reply = { error: { message: error instanceof Error ? error.message : String(error), code: typeof code === "string" ? code : undefined } };
  }
  port.postMessage(reply);
});

function openForTables(): BetterSqlite3.Database {
  const opened = new BetterSqlite3(file, { timeout: busyTimeoutMs });
  // Its commits as durable as the main connection's (WAL mode is the file's, set there).
  opened.pragma("synchronous = FULL");
  return opened;
}

function createTables(db: BetterSqlite3.Database, request: CreateTablesRequest): string[] {
  const existed: string[] = [];
  db.transaction(() => {
    // Looked up in the transaction that creates them: a table another writer made meanwhile is found here.
    const present = tableNames(db);
    for (const { name, sql } of request.tables) {
      if (present.has(sqliteCase(name))) existed.push(name);
      else {
        db.exec(sql);
        present.add(sqliteCase(name));
      }
    }
  }).immediate();
  return existed;
}
