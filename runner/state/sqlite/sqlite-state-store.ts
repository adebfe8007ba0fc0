import { ComposedStateStore, type StoreParts } from "../composed-store.js";
import { SqliteAdHocPipelines } from "./sqlite-ad-hoc.js";
import { SqliteCatalogs } from "./sqlite-catalogs.js";
import { SqliteCheckpoints } from "./sqlite-checkpoints.js";
import { SqliteDeadLetters } from "./sqlite-dead-letters.js";
import { SqliteHandle } from "./sqlite-handle.js";
import { SqliteLeases } from "./sqlite-leases.js";
import { SqliteRuns } from "./sqlite-runs.js";
import { SqliteSchedules } from "./sqlite-schedules.js";

/** Each part of the store on one handle. */
function partsOn(handle: SqliteHandle): StoreParts {
  return {
    checkpoints: new SqliteCheckpoints(handle),
    runs: new SqliteRuns(handle),
    deadLetters: new SqliteDeadLetters(handle),
    leases: new SqliteLeases(handle),
    catalogs: new SqliteCatalogs(handle),
    schedules: new SqliteSchedules(handle),
    adHoc: new SqliteAdHocPipelines(handle),
  };
}

/**
 * The runner's state store on SQLite (WAL, synchronous FULL), the embedded
 * default: one database file for checkpoints, runs, dead letters and
 * leases, a part per interface on one connection. Every change that must
 * stay consistent with another (a checkpoint and the run's progress)
 * happens in one transaction, so a crash leaves the last good checkpoint
 * untouched. Several processes may share the file: SQLite serialises
 * writers.
 */
export class SqliteStateStore extends ComposedStateStore {
  readonly path: string;

  constructor(path: string) {
    const handle = SqliteHandle.open(path);
    super(partsOn(handle), {
      location: handle.path,
      fenced: (fence) => partsOn(handle.fenced(fence)),
      close: async () => {
        handle.db.close();
      },
    });
    this.path = handle.path;
  }
}
