import type { StateStore } from "./interfaces.js";
import { MemoryStateStore } from "./memory/memory-state-store.js";
import { isPostgresLocation } from "./postgres/postgres-location.js";
import { PostgresStateStore } from "./postgres/postgres-state-store.js";
import { SqliteStateStore } from "./sqlite/sqlite-state-store.js";

/**
 * Opens the state store at `location`: `postgres://…` for a Postgres
 * server (teams, several workers and hosts), `memory:` for one in this
 * process (tests, throwaway runs), anything else is a SQLite file (the
 * default, `.agora/state.db`). The one place that knows the implementations.
 */
export function openStateStore(location: string): StateStore {
  if (location === "memory:") return new MemoryStateStore();
  if (isPostgresLocation(location)) return new PostgresStateStore(location);
  return new SqliteStateStore(location);
}
