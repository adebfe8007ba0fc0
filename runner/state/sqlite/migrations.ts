import type { Database } from "better-sqlite3";
import { DEAD_LETTERS_VIEW, HISTORIES_AND_AD_HOC } from "../dead-letter-documents.js";

/**
 * The state store's schema, as numbered steps. A store records the last step
 * applied (SQLite's `user_version`); opening it applies the ones after that,
 * each in its own transaction. Never edit a step that has shipped: add one.
 */
export const MIGRATIONS: ReadonlyArray<{ readonly version: number; readonly description: string; readonly sql: string }> = [
  {
    version: 1,
    description: "checkpoints, runs and dead letters",
    sql: `
      CREATE TABLE IF NOT EXISTS checkpoints (
        pipeline TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        run_id TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,
        progress TEXT NOT NULL DEFAULT '{}',
        dead_lettered INTEGER NOT NULL DEFAULT 0,
        error TEXT
      );
      CREATE INDEX IF NOT EXISTS runs_by_pipeline ON runs (pipeline, started_at);
      CREATE TABLE IF NOT EXISTS dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
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
      CREATE INDEX IF NOT EXISTS dead_letters_by_pipeline ON dead_letters (pipeline, status, stage);`,
  },
  {
    version: 2,
    description: "leases",
    sql: `
      CREATE TABLE IF NOT EXISTS leases (
        pipeline TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );`,
  },
  {
    version: 3,
    description: "a failed run's error code and kind",
    sql: `
      ALTER TABLE runs ADD COLUMN error_code TEXT;
      ALTER TABLE runs ADD COLUMN error_kind TEXT;`,
  },
  {
    version: 4,
    description: "discovered catalogs",
    sql: `
      CREATE TABLE IF NOT EXISTS catalogs (
        cache_key TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        catalog TEXT NOT NULL,
        discovered_at TEXT NOT NULL
      );`,
  },
  {
    version: 5,
    description: "when each scheduled pipeline is due next, across workers",
    sql: `
      CREATE TABLE IF NOT EXISTS schedules (
        pipeline TEXT PRIMARY KEY,
        next_run_at TEXT,
        schedule TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );`,
  },
  {
    version: 6,
    description: "dead letters refer to one copy of each checkpoint and schema",
    sql: `
      CREATE TABLE IF NOT EXISTS dead_letter_documents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        digest TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
      );
      ALTER TABLE dead_letters ADD COLUMN checkpoint_ref INTEGER;
      ALTER TABLE dead_letters ADD COLUMN schema_ref INTEGER;
      ${DEAD_LETTERS_VIEW};`,
  },
  {
    version: 7,
    description:
      "each dead letter keeps its history (every replay that failed, every edit); ad hoc pipelines are remembered; runs keep their counts per target",
    sql: `
      ${HISTORIES_AND_AD_HOC}
      ${DEAD_LETTERS_VIEW};`,
  },
  {
    version: 8,
    description: "each run keeps the last checkpoint it saved (the checkpoint's history)",
    sql: `
      ALTER TABLE runs ADD COLUMN checkpoint TEXT;
      ALTER TABLE runs ADD COLUMN checkpoint_bytes BIGINT;
      ALTER TABLE runs ADD COLUMN checkpoint_at TEXT;`,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Brings a database up to `target` (the latest by default). Refuses one written by a newer Agora. */
export function migrate(db: Database, target = LATEST_VERSION): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > LATEST_VERSION) {
    throw new Error(`the state store was written by a newer Agora (schema ${current}, this one knows ${LATEST_VERSION}); upgrade Agora`);
  }
  for (const step of MIGRATIONS) {
    if (step.version <= current || step.version > target) continue;
    // IMMEDIATE takes the write lock first, and the version is read again under it: of several
    // processes opening the store at once, one applies each step and the others skip it.
    db.transaction(() => {
      if ((db.pragma("user_version", { simple: true }) as number) >= step.version) return;
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
}
