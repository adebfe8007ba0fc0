import type { AdHocPipelineStore } from "../interfaces.js";
import type { AdHocCommands } from "../types.js";
import { now } from "../rows.js";
import type { PostgresHandle } from "./postgres-handle.js";

/** Ad hoc pipelines' commands (secrets masked), for their replays. */
export class PostgresAdHocPipelines implements AdHocPipelineStore {
  constructor(private readonly handle: PostgresHandle) {}

  async saveAdHocPipeline(pipeline: string, commands: AdHocCommands): Promise<void> {
    return this.handle.guard(`remember ad hoc pipeline ${pipeline}`, async (client) => {
      await client.query(
        "INSERT INTO ad_hoc_pipelines (pipeline, commands, updated_at) VALUES ($1, $2, $3) ON CONFLICT (pipeline) DO UPDATE SET commands = excluded.commands, updated_at = excluded.updated_at",
        [pipeline, JSON.stringify(commands), now()],
      );
    });
  }

  async getAdHocPipeline(pipeline: string): Promise<AdHocCommands | undefined> {
    return this.handle.guard(`read ad hoc pipeline ${pipeline}`, async (client) => {
      const row = (await client.query<{ commands: string }>("SELECT commands FROM ad_hoc_pipelines WHERE pipeline = $1", [pipeline])).rows[0];
      return row === undefined ? undefined : (JSON.parse(row.commands) as AdHocCommands);
    });
  }
}
