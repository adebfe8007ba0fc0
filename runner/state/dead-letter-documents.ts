import { createHash } from "node:crypto";
import { stringifyJson } from "../../protocol/index.js";

/**
 * The large parts a run's dead letters share (the checkpoint of the moment,
 * the stream's schema), kept once each in `dead_letter_documents` and
 * referenced by id: 2,000 bad records after a 1 MB checkpoint are 2,000
 * references to one copy, not 2 GB. A document is found by the digest of
 * its text; the text of an object is made once per object (a run hands the
 * same checkpoint and schema objects to each of its dead letters).
 */
export class DocumentTexts {
  private readonly known = new WeakMap<object, DocumentText>();

  /** The text and digest of `value`, or undefined for no value. */
  of(value: unknown): DocumentText | undefined {
    if (value === undefined) return undefined;
    const cacheable = typeof value === "object" && value !== null;
    const cached = cacheable ? this.known.get(value) : undefined;
    if (cached !== undefined) return cached;
    const text = stringifyJson(value);
    const document = { text, digest: createHash("sha256").update(text).digest("hex") };
    if (cacheable) this.known.set(value, document);
    return document;
  }
}

export interface DocumentText {
  readonly text: string;
  readonly digest: string;
}

/** Removes the documents no dead letter refers to any more (after a purge). */
export const ORPHAN_DOCUMENTS = `DELETE FROM dead_letter_documents WHERE NOT EXISTS (
  SELECT 1 FROM dead_letters WHERE dead_letters.checkpoint_ref = dead_letter_documents.id OR dead_letters.schema_ref = dead_letter_documents.id)`;

/**
 * One schema step of both stores (SQLite 7, Postgres 3): dead letters keep
 * their history, runs their counts per target, ad hoc pipelines are
 * remembered; the view is made again to show the new column.
 */
export const HISTORIES_AND_AD_HOC = `
      CREATE TABLE IF NOT EXISTS ad_hoc_pipelines (
        pipeline TEXT PRIMARY KEY,
        commands TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      ALTER TABLE dead_letters ADD COLUMN history TEXT;
      ALTER TABLE runs ADD COLUMN targets TEXT;
      DROP VIEW IF EXISTS dead_letters_full;`;

/** The dead letters with their documents' text beside them (the view the stores read from). */
export const DEAD_LETTERS_VIEW = `CREATE VIEW dead_letters_full AS
  SELECT d.*, c.body AS checkpoint_document, s.body AS schema_document
  FROM dead_letters d
  LEFT JOIN dead_letter_documents c ON c.id = d.checkpoint_ref
  LEFT JOIN dead_letter_documents s ON s.id = d.schema_ref`;
