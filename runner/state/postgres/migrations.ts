import type { PoolClient } from "pg";
import { quoteIdentifier } from "../../../protocol/index.js";
import { DEAD_LETTERS_VIEW, HISTORIES_AND_AD_HOC } from "../dead-letter-documents.js";

/**
 * The Postgres state store's schema, as numbered steps (the same tables as
 * SQLite's, in Postgres types). The store records the last step applied in
 * `agora_schema`; opening it applies the ones after that, each in its own
 * transaction, under an advisory lock, so of several processes starting at
 * once one migrates and the others find it done. Never edit a step that
 * has shipped: add one.
 *
 * JSON is kept as text, as it came: jsonb would reorder keys and fold
 * duplicates, and a checkpoint must come back exactly as the tap wrote it.
 */
export const POSTGRES_MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly description: string; readonly sql: string }> = [
  {
    version: 1,
    description: "checkpoints, runs, dead letters, leases, discovered catalogs and schedules",
    sql: `
      CREATE TABLE checkpoints (
        pipeline TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        run_id TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE runs (
        seq BIGSERIAL UNIQUE,
        id TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,
        progress TEXT NOT NULL DEFAULT '{}',
        dead_lettered INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        error_code TEXT,
        error_kind TEXT
      );
      CREATE INDEX runs_by_pipeline ON runs (pipeline, started_at);
      CREATE TABLE dead_letters (
        id BIGSERIAL PRIMARY KEY,
        pipeline TEXT NOT NULL,
        run_id TEXT NOT NULL,
        stream TEXT NOT NULL,
        stage TEXT NOT NULL,
        error_code TEXT NOT NULL,
        error_message TEXT NOT NULL,
        original TEXT,
        processed TEXT,
        raw TEXT,
        schema TEXT,
        key_properties TEXT,
        checkpoint TEXT,
        location TEXT,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      CREATE INDEX dead_letters_by_pipeline ON dead_letters (pipeline, status, stage);
      CREATE INDEX dead_letters_by_run ON dead_letters (run_id);
      CREATE TABLE leases (
        pipeline TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE catalogs (
        cache_key TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        catalog TEXT NOT NULL,
        discovered_at TEXT NOT NULL
      );
      CREATE TABLE schedules (
        pipeline TEXT PRIMARY KEY,
        next_run_at TEXT,
        schedule TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );`,
  },
  {
    version: 2,
    description: "dead letters refer to one copy of each checkpoint and schema",
    sql: `
      CREATE TABLE dead_letter_documents (
        id BIGSERIAL PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
      );
      ALTER TABLE dead_letters ADD COLUMN checkpoint_ref BIGINT;
      ALTER TABLE dead_letters ADD COLUMN schema_ref BIGINT;
      ${DEAD_LETTERS_VIEW};`,
  },
  {
    version: 3,
    description:
      "each dead letter keeps its history (every replay that failed, every edit); ad hoc pipelines are remembered; runs keep their counts per target",
    sql: `
      ${HISTORIES_AND_AD_HOC}
      ${DEAD_LETTERS_VIEW};`,
  },
  {
    version: 4,
    description: "each run keeps the last checkpoint it saved (the checkpoint's history)",
    sql: `
      ALTER TABLE runs ADD COLUMN checkpoint TEXT;
      ALTER TABLE runs ADD COLUMN checkpoint_bytes BIGINT;
      ALTER TABLE runs ADD COLUMN checkpoint_at TEXT;`,
  },
];

export const POSTGRES_LATEST_VERSION = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;

/** Any constant that no other user of the database is likely to lock: "agora" in ASCII. */
const MIGRATION_LOCK = 0x61676f7261;

/**
 * Brings the schema in `client`'s search path up to `target` (the latest by
 * default). Refuses one written by a newer Agora.
 */
export async function migratePostgres(client: PoolClient, schema: string, target = POSTGRES_LATEST_VERSION): Promise<void> {
  await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query("CREATE TABLE IF NOT EXISTS agora_schema (version INTEGER NOT NULL)");
    const current = Number((await client.query<{ version: number }>("SELECT max(version) AS version FROM agora_schema")).rows[0]?.version ?? 0);
    if (current > POSTGRES_LATEST_VERSION) {
      throw new Error(`the state store was written by a newer Agora (schema ${current}, this one knows ${POSTGRES_LATEST_VERSION}); upgrade Agora`);
    }
    for (const step of POSTGRES_MIGRATIONS) {
      if (step.version <= current || step.version > target) continue;
      await client.query("BEGIN");
      try {
        await client.query(step.sql);
        await client.query("INSERT INTO agora_schema (version) VALUES ($1)", [step.version]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]);
  }
}
