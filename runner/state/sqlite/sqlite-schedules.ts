import type { ScheduleStore } from "../interfaces.js";
import type { NextRun } from "../types.js";
import { now } from "../rows.js";
import type { SqliteHandle } from "./sqlite-handle.js";

/** When each scheduled pipeline is due next, across the fleet. */
export class SqliteSchedules implements ScheduleStore {
  constructor(private readonly handle: SqliteHandle) {}

  async getNextRun(pipeline: string): Promise<NextRun | undefined> {
    return this.handle.guard(`read when pipeline ${pipeline} is due`, () => {
      const row = this.handle.db.prepare("SELECT next_run_at, schedule FROM schedules WHERE pipeline = ?").get(pipeline) as
        | { next_run_at: string | null; schedule: string }
        | undefined;
      return row === undefined ? undefined : { at: row.next_run_at ?? undefined, schedule: row.schedule };
    });
  }

  async setNextRun(pipeline: string, next: NextRun): Promise<void> {
    return this.handle.runWrite(`record when pipeline ${pipeline} is due`, () => {
      this.handle.db
        .prepare(
          "INSERT INTO schedules (pipeline, next_run_at, schedule, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET next_run_at = excluded.next_run_at, schedule = excluded.schedule, updated_at = excluded.updated_at",
        )
        .run(pipeline, next.at ?? null, next.schedule, now());
    });
  }
}
