import { ORPHAN_DOCUMENTS } from "../dead-letter-documents.js";
import { deadLetterPage, deadLetterWhere } from "../dead-letter-where.js";
import type { DeadLetterStore } from "../interfaces.js";
import { DEAD_LETTER_COLUMNS, deadLetterValues, eventJson, json, toDeadLetter, now } from "../rows.js";
import type { DeadLetter, DeadLetterFilter, DeadLetterGroup, NewDeadLetter } from "../types.js";
import type { SqliteHandle } from "./sqlite-handle.js";

/** Appends the event (JSON text, the next parameter) to a dead letter's history. */
const SQLITE_APPEND_EVENT = "json_insert(coalesce(history, '[]'), '$[#]', json(?))";

/** Dead letters, their schemas and checkpoints stored once each (DocumentTexts), and their history of events. */
export class SqliteDeadLetters implements DeadLetterStore {
  constructor(private readonly handle: SqliteHandle) {}

  async addDeadLetter(entry: NewDeadLetter): Promise<number> {
    return this.handle.runWrite(`store a dead letter of pipeline ${entry.pipeline}`, () =>
      this.handle.db.transaction(() => {
        const refs = { schema: this.documentRef(entry.schema), checkpoint: this.documentRef(entry.checkpoint) };
        const result = this.handle.db
          .prepare(
            `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS})
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(...deadLetterValues(entry, now(), refs));
        return Number(result.lastInsertRowid);
      })(),
    );
  }

  /** The id of the one stored copy of `value` (see DocumentTexts), stored now if it is new; null for no value. */
  private documentRef(value: unknown): number | null {
    const document = this.handle.documents.of(value);
    if (document === undefined) return null;
    this.handle.db
      .prepare("INSERT INTO dead_letter_documents (digest, body) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING")
      .run(document.digest, document.text);
    return (this.handle.db.prepare("SELECT id FROM dead_letter_documents WHERE digest = ?").get(document.digest) as { id: number }).id;
  }

  async listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return this.handle.guard(`read the dead letters of pipeline ${filter.pipeline}`, () => {
      const { sql, values } = deadLetterWhere(filter, "sqlite");
      return (
        this.handle.db.prepare(`SELECT * FROM dead_letters_full WHERE ${sql} ORDER BY id${deadLetterPage(filter, "sqlite")}`).all(...values) as Array<
          Record<string, unknown>
        >
      ).map(toDeadLetter);
    });
  }

  async countDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.handle.guard(`count the dead letters of pipeline ${filter.pipeline}`, () => {
      const { sql, values } = deadLetterWhere(filter, "sqlite");
      return (this.handle.db.prepare(`SELECT count(*) AS n FROM dead_letters WHERE ${sql}`).get(...values) as { n: number }).n;
    });
  }

  async groupDeadLetters(pipeline: string): Promise<DeadLetterGroup[]> {
    return this.handle.guard(`count the dead letters of pipeline ${pipeline}`, () => {
      return this.handle.db
        .prepare(
          "SELECT stream, stage, error_code AS errorCode, status, count(*) AS count FROM dead_letters WHERE pipeline = ? GROUP BY stream, stage, error_code, status ORDER BY stream, stage, error_code, status",
        )
        .all(pipeline) as DeadLetterGroup[];
    });
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.handle.guard(`read dead letter ${id}`, () => {
      const row = this.handle.db.prepare("SELECT * FROM dead_letters_full WHERE id = ?").get(id) as Record<string, unknown> | undefined;
      return row === undefined ? undefined : toDeadLetter(row);
    });
  }

  /** Marks replayed entries done, and failed ones with another attempt, in one transaction. */
  async recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): Promise<void> {
    return this.handle.runWrite(`record a replay`, () => {
      this.handle.db.transaction(() => {
        const done = this.handle.db.prepare(
          "UPDATE dead_letters SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'",
        );
        for (const id of succeeded) done.run(id);
        const again = this.handle.db.prepare(`UPDATE dead_letters SET attempts = attempts + 1, last_error = ?, history = ${SQLITE_APPEND_EVENT} WHERE id = ?`);
        for (const { id, error } of failed) again.run(error, eventJson("replay_failed", error), id);
      })();
    });
  }

  async editDeadLetter(id: number, record: Record<string, unknown>, detail: string): Promise<void> {
    return this.handle.guard(`edit dead letter ${id}`, () => {
      // Every expression reads the row as it was: an entry with an original gets the edit there, one without in processed.
      this.handle.db
        .prepare(
          `UPDATE dead_letters SET original = CASE WHEN original IS NULL THEN NULL ELSE ? END, processed = CASE WHEN original IS NULL THEN ? ELSE NULL END, history = ${SQLITE_APPEND_EVENT} WHERE id = ?`,
        )
        .run(json(record), json(record), eventJson("edited", detail), id);
    });
  }

  async purgeDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.handle.guard(`purge dead letters of pipeline ${filter.pipeline}`, () => {
      const { sql, values } = deadLetterWhere(filter, "sqlite");
      return this.handle.db.transaction(() => {
        const purged = this.handle.db.prepare(`DELETE FROM dead_letters WHERE ${sql}`).run(...values).changes;
        this.handle.db.prepare(ORPHAN_DOCUMENTS).run();
        return purged;
      })();
    });
  }
}
