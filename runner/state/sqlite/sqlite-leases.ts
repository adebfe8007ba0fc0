import type { LeaseStore } from "../interfaces.js";
import type { SqliteHandle } from "./sqlite-handle.js";

/** Leases: at most one run of a pipeline at a time, across processes sharing the file. */
export class SqliteLeases implements LeaseStore {
  constructor(private readonly handle: SqliteHandle) {}

  /**
   * Takes the pipeline's lease for `ttlMs` if it is free, expired, or already
   * ours. Atomic: SQLite serialises writers, so two workers cannot both win.
   */
  async acquireLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.handle.guard(`take the lease of pipeline ${pipeline}`, () => {
      const now = Date.now();
      const result = this.handle.db
        .prepare(
          `INSERT INTO leases (pipeline, holder, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (pipeline) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
           WHERE leases.expires_at < ? OR leases.holder = excluded.holder`,
        )
        .run(pipeline, holder, now + ttlMs, now);
      return result.changes === 1;
    });
  }

  /** Extends a lease we hold; false if it is no longer ours. */
  async renewLease(pipeline: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.handle.guard(`renew the lease of pipeline ${pipeline}`, () => {
      return (
        this.handle.db.prepare("UPDATE leases SET expires_at = ? WHERE pipeline = ? AND holder = ?").run(Date.now() + ttlMs, pipeline, holder).changes === 1
      );
    });
  }

  /** Hands a lease from a holder known to be dead to a new one; false if someone else got it first. */
  async takeOverLease(pipeline: string, deadHolder: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.handle.guard(`take over the lease of pipeline ${pipeline}`, () => {
      return (
        this.handle.db
          .prepare("UPDATE leases SET holder = ?, expires_at = ? WHERE pipeline = ? AND holder = ?")
          .run(holder, Date.now() + ttlMs, pipeline, deadHolder).changes === 1
      );
    });
  }

  async releaseLease(pipeline: string, holder: string): Promise<void> {
    return this.handle.guard(`release the lease of pipeline ${pipeline}`, () => {
      this.handle.db.prepare("DELETE FROM leases WHERE pipeline = ? AND holder = ?").run(pipeline, holder);
    });
  }

  /** Who holds a pipeline's lease now, if anyone. */
  async leaseHolder(pipeline: string): Promise<string | undefined> {
    return this.handle.guard(`read the lease of pipeline ${pipeline}`, () => {
      const row = this.handle.db.prepare("SELECT holder FROM leases WHERE pipeline = ? AND expires_at >= ?").get(pipeline, Date.now()) as
        | { holder: string }
        | undefined;
      return row?.holder;
    });
  }
}
