import type pg from "pg";
import { ORPHAN_DOCUMENTS } from "../dead-letter-documents.js";
import { deadLetterPage, deadLetterWhere } from "../dead-letter-where.js";
import type { DeadLetterStore } from "../interfaces.js";
import { DEAD_LETTER_COLUMNS, deadLetterValues, eventJson, json, toDeadLetter, now } from "../rows.js";
import type { DeadLetter, DeadLetterFilter, DeadLetterGroup, NewDeadLetter } from "../types.js";
import type { PostgresHandle } from "./postgres-handle.js";

/** Appends the event (JSON text, parameter `n`) to a dead letter's history. */
function postgresAppendEvent(n: number): string {
  return `(coalesce(history, '[]')::jsonb || jsonb_build_array($${n}::jsonb))::text`;
}

/** Postgres returns BIGSERIAL ids as strings: numbers here, as the runner uses them. */
function toDeadLetterRow(row: Record<string, unknown>): DeadLetter {
  return toDeadLetter({ ...row, id: Number(row["id"]) });
}

/** Dead letters, their schemas and checkpoints stored once each (DocumentTexts), and their history of events. */
export class PostgresDeadLetters implements DeadLetterStore {
  constructor(private readonly handle: PostgresHandle) {}

  async addDeadLetter(entry: NewDeadLetter): Promise<number> {
    return this.handle.runWrite(`store a dead letter of pipeline ${entry.pipeline}`, (client) =>
      this.handle.transaction(client, async () => {
        const refs = { schema: await this.documentRef(client, entry.schema), checkpoint: await this.documentRef(client, entry.checkpoint) };
        const result = await client.query<{ id: string }>(
          `INSERT INTO dead_letters (${DEAD_LETTER_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
          deadLetterValues(entry, now(), refs),
        );
        return Number(result.rows[0]?.id);
      }),
    );
  }

  /** The id of the one stored copy of `value` (see DocumentTexts), stored now if it is new; null for no value. */
  private async documentRef(client: pg.PoolClient, value: unknown): Promise<number | null> {
    const document = this.handle.documents.of(value);
    if (document === undefined) return null;
    // A purge removes documents no dead letter refers to: it waits for this transaction (see purgeDeadLetters).
    await client.query("LOCK TABLE dead_letter_documents IN ROW EXCLUSIVE MODE");
    await client.query("INSERT INTO dead_letter_documents (digest, body) VALUES ($1, $2) ON CONFLICT (digest) DO NOTHING", [document.digest, document.text]);
    const row = (await client.query<{ id: string }>("SELECT id FROM dead_letter_documents WHERE digest = $1", [document.digest])).rows[0];
    return Number(row?.id);
  }

  async listDeadLetters(filter: DeadLetterFilter): Promise<DeadLetter[]> {
    return this.handle.guard(`read the dead letters of pipeline ${filter.pipeline}`, async (client) => {
      const { sql, values } = deadLetterWhere(filter, "postgres");
      return (
        await client.query<Record<string, unknown>>(`SELECT * FROM dead_letters_full WHERE ${sql} ORDER BY id${deadLetterPage(filter, "postgres")}`, values)
      ).rows.map(toDeadLetterRow);
    });
  }

  async countDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.handle.guard(`count the dead letters of pipeline ${filter.pipeline}`, async (client) => {
      const { sql, values } = deadLetterWhere(filter, "postgres");
      return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM dead_letters WHERE ${sql}`, values)).rows[0]?.n ?? 0);
    });
  }

  async groupDeadLetters(pipeline: string): Promise<DeadLetterGroup[]> {
    return this.handle.guard(`count the dead letters of pipeline ${pipeline}`, async (client) => {
      const rows = (
        await client.query<{ stream: string; stage: DeadLetterGroup["stage"]; error_code: string; status: DeadLetterGroup["status"]; count: string }>(
          "SELECT stream, stage, error_code, status, count(*) AS count FROM dead_letters WHERE pipeline = $1 GROUP BY stream, stage, error_code, status ORDER BY stream, stage, error_code, status",
          [pipeline],
        )
      ).rows;
      return rows.map((row) => ({ stream: row.stream, stage: row.stage, errorCode: row.error_code, status: row.status, count: Number(row.count) }));
    });
  }

  async getDeadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.handle.guard(`read dead letter ${id}`, async (client) => {
      const row = (await client.query<Record<string, unknown>>("SELECT * FROM dead_letters_full WHERE id = $1", [id])).rows[0];
      return row === undefined ? undefined : toDeadLetterRow(row);
    });
  }

  /** Marks replayed entries done, and failed ones with another attempt, in one transaction. */
  async recordReplay(succeeded: readonly number[], failed: ReadonlyArray<{ id: number; error: string }>): Promise<void> {
    return this.handle.runWrite("record a replay", (client) =>
      this.handle.transaction(client, async () => {
        if (succeeded.length > 0)
          await client.query(
            "UPDATE dead_letters SET status = 'done', attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[]) AND status = 'pending'",
            [succeeded],
          );
        for (const { id, error } of failed) {
          await client.query(`UPDATE dead_letters SET attempts = attempts + 1, last_error = $1, history = ${postgresAppendEvent(3)} WHERE id = $2`, [
            error,
            id,
            eventJson("replay_failed", error),
          ]);
        }
      }),
    );
  }

  async editDeadLetter(id: number, record: Record<string, unknown>, detail: string): Promise<void> {
    await this.handle.guard(`edit dead letter ${id}`, (client) =>
      // Every expression reads the row as it was: an entry with an original gets the edit there, one without in processed.
      client.query(
        `UPDATE dead_letters SET original = CASE WHEN original IS NULL THEN NULL ELSE $1 END, processed = CASE WHEN original IS NULL THEN $1 ELSE NULL END, history = ${postgresAppendEvent(2)} WHERE id = $3`,
        [json(record), eventJson("edited", detail), id],
      ),
    );
  }

  async purgeDeadLetters(filter: DeadLetterFilter): Promise<number> {
    return this.handle.guard(`purge dead letters of pipeline ${filter.pipeline}`, async (client) => {
      const { sql, values } = deadLetterWhere(filter, "postgres");
      return this.handle.transaction(client, async () => {
        const purged = (await client.query(`DELETE FROM dead_letters WHERE ${sql}`, values)).rowCount ?? 0;
        // Conflicts with the ROW EXCLUSIVE lock a dead letter's insert takes: no document goes while one is being referred to.
        await client.query("LOCK TABLE dead_letter_documents IN SHARE ROW EXCLUSIVE MODE");
        await client.query(ORPHAN_DOCUMENTS);
        return purged;
      });
    });
  }
}
