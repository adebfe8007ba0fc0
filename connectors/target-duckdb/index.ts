import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  arrowColumns,
  arrowToParquet,
  decodeArrowBatch,
  defineTarget,
  DestinationNames,
  encodeStreamRecords,
  type ArrowColumn,
  type ConnectorConfig,
  type StreamInfo,
  RECORD_COLUMN,
} from "../../protocol/index.js";
import { identifierKey } from "./column-types.js";
import { duckdbError } from "./duckdb-errors.js";
import { StreamTable, wantedColumns } from "./stream-table.js";

interface DuckdbConfig extends ConnectorConfig {
  database: string;
  schema: string;
  release_between_batches: boolean;
  busy_timeout_ms: number;
}

/** Whether DuckDB refused to open the file because another process holds it. */
function isLocked(error: unknown): boolean {
  return /Could not set lock/i.test((error as Error).message);
}

/** The database, opened when first needed (and again after a release). */
class Database {
  private opened: { instance: DuckDBInstance; connection: DuckDBConnection } | undefined;

  constructor(
    readonly file: string,
    /** How long to wait for another process's lock on the file. */
    private readonly busyTimeoutMs: number,
  ) {}

  async connection(): Promise<DuckDBConnection> {
    if (this.opened !== undefined) return this.opened.connection;
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const deadline = Date.now() + this.busyTimeoutMs;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      let instance: DuckDBInstance;
      for (;;) {
        try {
          instance = await DuckDBInstance.create(this.file);
          break;
        } catch (error) {
          // Another process (a reader between our batches) has it: wait for it, up to busy_timeout_ms.
          if (!isLocked(error) || Date.now() >= deadline) throw error;
          await new Promise((done) => setTimeout(done, 50));
        }
      }
      const connection = await instance.connect();
      // Timestamps without a zone are read as UTC, whatever the machine's zone.
      await connection.run("SET TimeZone = 'UTC'");
      this.opened = { instance, connection };
      return connection;
    } catch (error) {
      throw duckdbError(error, this.file, "open the database");
    }
  }

  /** Runs `step` in one transaction: all of it is durable on return, or none of it. */
  async transaction(action: string, stream: string | undefined, step: (connection: DuckDBConnection) => Promise<void>): Promise<void> {
    const connection = await this.connection();
    try {
      await connection.run("BEGIN TRANSACTION");
      await step(connection);
      await connection.run("COMMIT");
    } catch (error) {
      await connection.run("ROLLBACK").catch(() => undefined);
      throw duckdbError(error, this.file, action, stream);
    }
  }

  close(): void {
    if (this.opened === undefined) return;
    this.opened.connection.closeSync();
    this.opened.instance.closeSync();
    this.opened = undefined;
  }
}

/** The Arrow columns a stream's records are written as: its properties, or the whole record as JSON when it has none. */
function recordColumns(stream: StreamInfo): ArrowColumn[] {
  // Timestamps, dates and decimals as Parquet types DuckDB reads as they are (no text to parse, no double to round).
  const columns = arrowColumns(stream.schema, { forReaders: true });
  return columns.length === 0 ? [{ name: RECORD_COLUMN, kind: "json" }] : columns;
}

export const targetDuckdb = defineTarget<DuckdbConfig>({
  name: "target-duckdb",
  version: "0.1.0",
  description:
    "Writes each stream to a table of a DuckDB database (embedded analytics): columns typed from the schema, upserts on key properties, new columns added as the schema grows, one transaction per batch, committed before its STATE is confirmed. Parquet batches are loaded as they are, Arrow batches columnar.",
  settings: {
    type: "object",
    additionalProperties: false,
    properties: {
      database: { type: "string", default: "output.duckdb", description: "Path of the database file (created, with its directory, if missing)." },
      schema: { type: "string", minLength: 1, default: "main", description: "Schema the tables are made in (created if missing)." },
      release_between_batches: {
        type: "boolean",
        default: false,
        description:
          "Close the database after each batch, so other processes can open it while a sync runs (DuckDB lets one process have it open for writing); slower.",
      },
      busy_timeout_ms: {
        type: "integer",
        minimum: 0,
        default: 5000,
        description: "How long to wait for another process to close the database before failing.",
      },
    },
  },
  nativeBatchFormats: ["arrow", "parquet"],
  async testConnection({ config }) {
    const database = new Database(resolve(config.database), config.busy_timeout_ms);
    try {
      await database.transaction("write to the database", undefined, async (connection) => void (await connection.run("SELECT 1")));
    } finally {
      database.close();
    }
    return `${resolve(config.database)} is writable`;
  },
  open({ config }) {
    const database = new Database(resolve(config.database), config.busy_timeout_ms);
    const scratch = mkdtempSync(join(tmpdir(), "agora-target-duckdb-"));
    const batchFile = join(scratch, "batch.parquet");
    const tables = new Map<string, { stream: StreamInfo; table: StreamTable | undefined }>();
    // DuckDB compares names ignoring case: "Upper" and "upper" are one table.
    const destinations = new DestinationNames("table", identifierKey);

    /** The stream's table on the open connection (made again after a release). */
    const tableOf = async (stream: StreamInfo, connection: DuckDBConnection): Promise<StreamTable> => {
      const entry = tables.get(stream.name) ?? { stream, table: undefined };
      if (entry.table === undefined || entry.stream !== stream) {
        destinations.claim(stream.name, stream.name);
        entry.table = new StreamTable(connection, config.schema, stream.name);
        await entry.table.prepare(stream);
        entry.stream = stream;
        tables.set(stream.name, entry);
      }
      return entry.table;
    };
    const released = (): void => {
      if (!config.release_between_batches) return;
      database.close();
      for (const entry of tables.values()) entry.table = undefined;
    };
    /** An Arrow IPC stream as Parquet, the format DuckDB reads natively. */
    // Snappy: parquet-wasm fails ("Out of buffer") writing some uncompressed batches, and snappy costs little.
    const toParquet = (ipc: Uint8Array): Promise<Uint8Array> => arrowToParquet(ipc, { compression: "snappy", dictionary: false });
    /** Loads one Arrow IPC stream of `stream`, encoded as Parquet (by `toParquet`). */
    const load = async (connection: DuckDBConnection, stream: StreamInfo, parquet: Uint8Array, columns: readonly string[]): Promise<void> => {
      writeFileSync(batchFile, parquet, { mode: 0o600 });
      await (await tableOf(stream, connection)).load(batchFile, columns);
    };

    return {
      async prepareStream(stream) {
        wantedColumns(stream);
        await database.transaction(`prepare the table for stream ${stream.name}`, stream.name, async (connection) => void (await tableOf(stream, connection)));
        released();
      },
      async writeBatch(batch) {
        const encoded: Array<{ stream: StreamInfo; columns: ArrowColumn[]; parquet: Uint8Array }> = [];
        for (const entry of batch) {
          const columns = recordColumns(entry.stream);
          const wholeRecord = columns[0]?.name === RECORD_COLUMN && columns.length === 1;
          const ipc = await encodeStreamRecords(columns, entry, wholeRecord ? (record) => ({ [RECORD_COLUMN]: record }) : undefined);
          if (ipc !== undefined) encoded.push({ stream: entry.stream, columns, parquet: await toParquet(ipc) });
        }
        await database.transaction("write a batch", batch.length === 1 ? batch[0]?.stream.name : undefined, async (connection) => {
          for (const { stream, columns, parquet } of encoded)
            await load(
              connection,
              stream,
              parquet,
              columns.map((column) => column.name),
            );
        });
        released();
      },
      // A Parquet batch file is read by DuckDB as it is: no conversion at all.
      async writeParquetBatch(stream, file, columns) {
        let rows = 0;
        await database.transaction("write a batch", stream.name, async (connection) => {
          const table = await tableOf(stream, connection);
          await table.load(file, columns);
          rows = await table.rowsOf(file);
        });
        released();
        return rows;
      },
      // Encoding the next batch as Parquet overlaps DuckDB's load of this one (on threads of its own).
      prepareArrowBatch: (_stream, ipc) => toParquet(ipc),
      async writeArrowBatch(stream, ipc, _file, prepared) {
        const decoded = await decodeArrowBatch(ipc);
        const parquet = prepared ?? (await toParquet(ipc));
        await database.transaction("write a batch", stream.name, (connection) =>
          load(
            connection,
            stream,
            parquet,
            decoded.columns.map((column) => column.name),
          ),
        );
        released();
        return decoded.rows;
      },
      close() {
        database.close();
        rmSync(scratch, { recursive: true, force: true });
      },
    };
  },
});
