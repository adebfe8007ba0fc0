import { ConfigError, isPostgresUrl, readPostgresUrl, type PostgresUrl } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

/** True for a state store location that names a Postgres server. */
export const isPostgresLocation = isPostgresUrl;

export type PostgresLocation = PostgresUrl;

/**
 * Reads `postgres://user:password@host:port/database?schema=name` for the
 * state store (the password masked wherever it would show, the schema
 * parameter kept from the server), or a config error saying how to write it.
 */
export function parsePostgresLocation(location: string): PostgresLocation {
  const parsed = readPostgresUrl(location);
  if (parsed !== undefined) return parsed;
  throw new ConfigError(RunnerCodes.STATE_STORE_UNAVAILABLE, "the Postgres state store location is not a valid URL", {
    hint: "Write it as postgres://user:password@host:5432/database (state_store in pipelines.toml, --state-store or AGORA_STATE_STORE).",
  });
}
