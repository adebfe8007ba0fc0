import type { ScheduleStore } from "../interfaces.js";
import type { NextRun } from "../types.js";
import { now } from "../rows.js";
import type { PostgresHandle } from "./postgres-handle.js";

/** When each scheduled pipeline is due next, across the fleet. */
export class PostgresSchedules implements ScheduleStore {
  constructor(private readonly handle: PostgresHandle) {}

  async getNextRun(pipeline: string): Promise<NextRun | undefined> {
    return this.handle.guard(`read when pipeline ${pipeline} is due`, async (client) => {
      const row = (
        await client.query<{ next_run_at: string | null; schedule: string }>("SELECT next_run_at, schedule FROM schedules WHERE pipeline = $1", [pipeline])
      ).rows[0];
      return row === undefined ? undefined : { at: row.next_run_at ?? undefined, schedule: row.schedule };
    });
  }

  async setNextRun(pipeline: string, next: NextRun): Promise<void> {
    return this.handle.runWrite(`record when pipeline ${pipeline} is due`, async (client) => {
      await client.query(
        "INSERT INTO schedules (pipeline, next_run_at, schedule, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (pipeline) DO UPDATE SET next_run_at = excluded.next_run_at, schedule = excluded.schedule, updated_at = excluded.updated_at",
        [pipeline, next.at ?? null, next.schedule, now()],
      );
    });
  }
}
