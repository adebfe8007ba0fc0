import type { LeaseStore } from "../interfaces.js";
import type { PostgresHandle } from "./postgres-handle.js";

/** The server's clock in milliseconds: leases are compared on one clock, whichever host asks. */
const SERVER_MS = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/** Leases: at most one run of a pipeline at a time, across every process and host sharing the store, on the server's clock. */
export class PostgresLeases implements LeaseStore {
  constructor(private readonly handle: PostgresHandle) {}

  /** Takes the pipeline's lease if it is free, expired, or already ours: one statement, so two workers cannot both win. */
  async acquireLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.handle.guard(`take the lease of pipeline ${pipeline}`, async (client) => {
      const result = await client.query(
        `INSERT INTO leases (pipeline, holder, expires_at) VALUES ($1, $2, ${SERVER_MS} + $3)
         ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.expires_at < ${SERVER_MS} OR leases.holder = excluded.holder`,
        [pipeline, holder, Math.round(ttlMs)],
      );
      return result.rowCount === 1;
    });
  }

  /** Extends a lease we hold; false if it is no longer ours. */
  async renewLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.handle.guard(
      `renew the lease of pipeline ${pipeline}`,
      async (client) =>
        (await client.query(`UPDATE leases SET expires_at = ${SERVER_MS} + $1 WHERE pipeline = $2 AND holder = $3`, [Math.round(ttlMs), pipeline, holder]))
          .rowCount === 1,
    );
  }

  /** Hands a lease from a holder known to be dead to a new one; false if someone else got it first. */
  async takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.handle.guard(
      `take over the lease of pipeline ${pipeline}`,
      async (client) =>
        (
          await client.query(`UPDATE leases SET holder = $1, expires_at = ${SERVER_MS} + $2 WHERE pipeline = $3 AND holder = $4`, [
            holder,
            Math.round(ttlMs),
            pipeline,
            deadHolder,
          ])
        ).rowCount === 1,
    );
  }

  async releaseLease(pipeline: string, holder: string): Promise<void> {
    return this.handle.guard(`release the lease of pipeline ${pipeline}`, async (client) => {
      await client.query("DELETE FROM leases WHERE pipeline = $1 AND holder = $2", [pipeline, holder]);
    });
  }

  /** Who holds a pipeline's lease now, if anyone. */
  async leaseHolder(pipeline: string): Promise<string | undefined> {
    return this.handle.guard(
      `read the lease of pipeline ${pipeline}`,
      async (client) =>
        (await client.query<{ holder: string }>(`SELECT holder FROM leases WHERE pipeline = $1 AND expires_at >= ${SERVER_MS}`, [pipeline])).rows[0]?.holder,
    );
  }
}
