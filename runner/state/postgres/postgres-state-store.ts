import { ComposedStateStore, type StoreParts } from "../composed-store.js";
import { PostgresAdHocPipelines } from "./postgres-ad-hoc.js";
import { PostgresCatalogs } from "./postgres-catalogs.js";
import { PostgresCheckpoints } from "./postgres-checkpoints.js";
import { PostgresDeadLetters } from "./postgres-dead-letters.js";
import { PostgresHandle } from "./postgres-handle.js";
import { PostgresLeases } from "./postgres-leases.js";
import { PostgresRuns } from "./postgres-runs.js";
import { PostgresSchedules } from "./postgres-schedules.js";

/** Each part of the store on one handle. */
function partsOn(handle: PostgresHandle): StoreParts {
  return {
    checkpoints: new PostgresCheckpoints(handle),
    runs: new PostgresRuns(handle),
    deadLetters: new PostgresDeadLetters(handle),
    leases: new PostgresLeases(handle),
    catalogs: new PostgresCatalogs(handle),
    schedules: new PostgresSchedules(handle),
    adHoc: new PostgresAdHocPipelines(handle),
  };
}

/**
 * The runner's state store on Postgres, for teams: several workers on
 * several hosts share checkpoints, run history, dead letters and leases
 * through one server. Same tables and semantics as the SQLite store (and
 * the same contract suite), a part per interface on one pool; its tables
 * live in a schema of their own (`agora`, or `?schema=` in the URL).
 * Opening is lazy: the pool connects and migrates on the first operation,
 * and a failure there is that operation's error.
 */
export class PostgresStateStore extends ComposedStateStore {
  constructor(location: string) {
    const handle = PostgresHandle.at(location);
    super(partsOn(handle), { location: handle.location, fenced: (fence) => partsOn(handle.fenced(fence)), close: () => handle.close() });
  }
}
