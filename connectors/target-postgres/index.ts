import pg from "pg";
import { AgoraError, defineTarget, DestinationNames, withPasswordMasked, type ConnectorConfig, type StreamRecords } from "../../protocol/index.js";
import { storedIdentifier } from "./identifiers.js";
import { databaseError } from "./postgres-errors.js";
import { StreamTable } from "./stream-table.js";

interface PostgresConfig extends ConnectorConfig {
  url: string;
  schema: string;
  table_prefix: string;
}

/** The url for messages: its password masked. */
function shownUrl(url: string): string {
  try {
    return withPasswordMasked(new URL(url));
  } catch {
    return "the url setting";
  }
}

async function connect(config: PostgresConfig): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: config.url, application_name: "target-postgres", connectionTimeoutMillis: 15_000 });
  // A connection the server drops between batches fails the next query, which says so.
  client.on("error", () => undefined);
  try {
    await client.connect();
    // A timestamp without a zone is UTC, as in every target, whatever zone the server or the url sets.
    await client.query("SET TIME ZONE 'UTC'");
  } catch (error) {
    await client.end().catch(() => undefined);
    throw databaseError(error, shownUrl(config.url), "connect");
  }
  return client;
}

export const targetPostgres = defineTarget<PostgresConfig>({
  name: "target-postgres",
  version: "0.1.0",
  description:
    "Writes each stream to a Postgres table: columns typed from the schema (bigint, numeric, boolean, text, timestamptz, date, jsonb for nested), one transaction per batch, committed before its STATE is confirmed. Batches are COPYed straight into the table (append without key properties; with them, while every key is new), and once a key repeats, COPYed into a staging table and merged (upsert on the key properties, the last record of a key winning). Columns added as the schema grows, ACTIVATE_VERSION.",
  activatesVersions: true,
  settings: {
    type: "object",
    additionalProperties: false,
    required: ["url"],
    properties: {
      url: {
        type: "string",
        secret: true,
        description: "The server and database: postgres://user:password@host:5432/database (libpq parameters such as sslmode may follow).",
      },
      schema: { type: "string", minLength: 1, default: "public", description: "The schema the tables are made in (created if missing)." },
      table_prefix: { type: "string", default: "", description: "Prepended to each stream name to make its table name." },
    },
  },
  async testConnection({ config }) {
    const client = await connect(config);
    try {
      await client.query("BEGIN");
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema.replaceAll('"', '""')}"`);
      await client.query("ROLLBACK");
    } catch (error) {
      throw databaseError(error, shownUrl(config.url), `create schema ${config.schema}`);
    } finally {
      await client.end();
    }
    return `${shownUrl(config.url)} is writable (schema ${config.schema})`;
  },
  async open({ config, logger }) {
    const shown = shownUrl(config.url);
    const client = await connect(config);
    const tables = new Map<string, StreamTable>();
    // Quoted identifiers keep case, but Postgres keeps only a name's first 63 bytes: streams cut to one name would share a table.
    const destinations = new DestinationNames("table", storedIdentifier);
    const tableOf = (stream: string): StreamTable => {
      let table = tables.get(stream);
      if (table === undefined) {
        const name = `${config.table_prefix}${stream}`;
        destinations.claim(stream, name);
        table = new StreamTable(config.schema, storedIdentifier(name));
        tables.set(stream, table);
      }
      return table;
    };
    /** One transaction, committed (and so durable) before it resolves. */
    const inTransaction = async (action: string, step: () => Promise<void>): Promise<void> => {
      try {
        await client.query("BEGIN");
        await step();
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error instanceof AgoraError ? error : databaseError(error, shown, action);
      }
    };
    return {
      // Each record becomes its COPY line as it arrives; a batch holds lines, not records.
      recordsAs: "encoded",
      // A row Postgres refuses becomes a dead letter, its record's JSON kept for it.
      rejectsRecords: true,
      encodeRecord(stream, message) {
        return tableOf(stream.name).encode(message);
      },
      async prepareStream(stream) {
        await inTransaction(`prepare the table for stream ${stream.name}`, () => tableOf(stream.name).prepare(client, stream));
      },
      async writeBatch(batch: readonly StreamRecords[]) {
        await inTransaction("write a batch", async () => {
          for (const { stream, texts, lines, reject } of batch) await tableOf(stream.name).write(client, texts ?? [], lines, reject);
        });
      },
      async activateVersion(stream, version) {
        await inTransaction(`activate version ${version} of stream ${stream.name}`, () => tableOf(stream.name).activateVersion(client, version));
        logger.debug(`stream ${stream.name}: version ${version} activated`);
      },
      async close() {
        await client.end().catch(() => undefined);
      },
    };
  },
});
