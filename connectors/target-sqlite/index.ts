import { resolve } from "node:path";
import type { Database } from "better-sqlite3";
import { AgoraError, defineTarget, DestinationNames, type ConnectorConfig, type StreamInfo, type StreamRecords } from "../../protocol/index.js";
import { openDatabase } from "./database.js";
import { databaseError } from "./sqlite-errors.js";
import { RowsSavepoint } from "./row-inserts.js";
import { sqliteCase, tableNames } from "./sqlite-names.js";
import { StreamTable } from "./stream-table.js";
import { type MadeTables, TableMaker } from "./table-maker.js";

interface SqliteConfig extends ConnectorConfig {
  database: string;
  table_prefix: string;
  busy_timeout_ms: number;
}

export const targetSqlite = defineTarget<SqliteConfig>({
  name: "target-sqlite",
  version: "0.1.0",
  description:
    "Writes each stream to a table of a SQLite database (the embedded default): columns from the schema, upserts on key properties, new columns added as the schema grows, one transaction per batch, WAL mode.",
  activatesVersions: true,
  settings: {
    type: "object",
    additionalProperties: false,
    properties: {
      database: { type: "string", default: "output.db", description: "Path of the database file (created, with its directory, if missing)." },
      table_prefix: { type: "string", default: "", description: "Prepended to each stream name to make its table name." },
      busy_timeout_ms: { type: "integer", minimum: 0, default: 5000, description: "How long to wait for another writer's lock before failing." },
    },
  },
  testConnection({ config }) {
    const db = openDatabase(config.database, config.busy_timeout_ms);
    try {
      db.exec("BEGIN IMMEDIATE; ROLLBACK");
    } catch (error) {
      throw databaseError(error, resolve(config.database), "take a write lock");
    } finally {
      db.close();
    }
    return `${resolve(config.database)} is writable`;
  },
  open({ config, logger }) {
    const file = resolve(config.database);
    const db: Database = openDatabase(config.database, config.busy_timeout_ms);
    const tables = new Map<string, StreamTable>();
    const savepoint = new RowsSavepoint(db);
    // SQLite compares names ignoring ASCII case: "Upper" and "upper" are one table.
    const destinations = new DestinationNames("table", sqliteCase);
    const tableNameOf = (stream: string): string => `${config.table_prefix}${stream}`;
    const tableOf = (stream: string): StreamTable => {
      let table = tables.get(stream);
      if (table === undefined) {
        destinations.claim(stream, tableNameOf(stream));
        table = new StreamTable(db, tableNameOf(stream), file, savepoint);
        tables.set(stream, table);
      }
      return table;
    };
    const inTransaction = (action: string, step: () => void): void => {
      try {
        db.transaction(step)();
      } catch (error) {
        throw error instanceof AgoraError ? error : databaseError(error, file, action);
      }
    };
    // A stream new to this run gets its table made on a worker thread while records are read (TableMaker);
    // one that exists already is evolved here, with the SCHEMAs of streams seen before.
    const maker = new TableMaker(file, config.busy_timeout_ms);
    const making = new Map<string, StreamInfo>();
    const madeElsewhere = async (): Promise<void> => {
      if (making.size === 0) return;
      let made: MadeTables;
      try {
        made = await maker.settled();
      } catch (error) {
        throw databaseError(error, file, `create the tables of ${making.size} stream(s)`);
      }
      const left = new Set(made.left);
      for (const [name, stream] of making) {
        // A table left to this thread, or found there already, is made or evolved like any other (unless a newer SCHEMA of the stream is waiting for that).
        if (made.existed.has(tableNameOf(name)) || left.has(tableNameOf(name))) {
          if (!pending.has(name)) pending.set(name, stream);
        } else tableOf(name).adopt(stream);
      }
      making.clear();
    };
    // The tables of the SCHEMAs since the last write are made (or evolved) together, in one transaction before the next batch's: 10,000 SCHEMAs would otherwise be 10,000 commits.
    const pending = new Map<string, StreamInfo>();
    const preparePending = async (): Promise<void> => {
      await madeElsewhere();
      if (pending.size === 0) return;
      inTransaction(`prepare the tables of ${pending.size} stream(s)`, () => {
        // One look at the schema table instead of a PRAGMA per new table (2,000 of them took 0.13 s).
        const present = tableNames(db);
        for (const [name, stream] of pending) tableOf(name).prepare(stream, present.has(sqliteCase(tableNameOf(name))));
      });
      pending.clear();
    };
    return {
      prepareStream(stream) {
        if (tables.has(stream.name) || making.has(stream.name)) {
          pending.set(stream.name, stream);
          return;
        }
        destinations.claim(stream.name, tableNameOf(stream.name));
        making.set(stream.name, stream);
        maker.add(tableNameOf(stream.name), StreamTable.creationSql(tableNameOf(stream.name), stream));
      },
      async writeBatch(batch: readonly StreamRecords[]) {
        await preparePending();
        inTransaction("write a batch", () => {
          for (const { stream, records, lines, reject } of batch) tableOf(stream.name).write(records, lines, reject);
        });
      },
      async activateVersion(stream, version) {
        await preparePending();
        inTransaction(`activate version ${version} of stream ${stream.name}`, () => tableOf(stream.name).activateVersion(version));
        logger.debug(`stream ${stream.name}: version ${version} activated`);
      },
      async close() {
        try {
          // A stream announced without records still gets its table.
          await preparePending();
        } finally {
          await maker.close();
          db.close();
        }
      },
    };
  },
});
