import type { AdHocPipelineStore } from "../interfaces.js";
import type { AdHocCommands } from "../types.js";
import { now } from "../rows.js";
import type { SqliteHandle } from "./sqlite-handle.js";

/** Ad hoc pipelines' commands (secrets masked), for their replays. */
export class SqliteAdHocPipelines implements AdHocPipelineStore {
  constructor(private readonly handle: SqliteHandle) {}

  async saveAdHocPipeline(pipeline: string, commands: AdHocCommands): Promise<void> {
    return this.handle.guard(`remember ad hoc pipeline ${pipeline}`, () => {
      this.handle.db
        .prepare(
          "INSERT INTO ad_hoc_pipelines (pipeline, commands, updated_at) VALUES (?, ?, ?) ON CONFLICT (pipeline) DO UPDATE SET commands = excluded.commands, updated_at = excluded.updated_at",
        )
        .run(pipeline, JSON.stringify(commands), now());
    });
  }

  async getAdHocPipeline(pipeline: string): Promise<AdHocCommands | undefined> {
    return this.handle.guard(`read ad hoc pipeline ${pipeline}`, () => {
      const row = this.handle.db.prepare("SELECT commands FROM ad_hoc_pipelines WHERE pipeline = ?").get(pipeline) as { commands: string } | undefined;
      return row === undefined ? undefined : (JSON.parse(row.commands) as AdHocCommands);
    });
  }
}
