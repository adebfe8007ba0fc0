import { ConfigError, isPostgresUrl, readPostgresUrl, type PostgresUrl } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

/** True for a state store location that names a Postgres server. */
export const isPostgresLocation = isPostgresUrl;

/** A state store on Postgres: the server, the schema, and how long the server may take to answer. */
export type PostgresLocation = PostgresUrl & { readonly timeoutMs: number };

/** How long a statement or a connection may take by default, in seconds (`?timeout=` in the location). */
const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * Reads `postgres://user:password@host:port/database?schema=name&timeout=30`
 * for the state store (the password masked wherever it would show, the
 * schema and timeout parameters kept from the server), or a config error
 * saying how to write it.
 */
export function parsePostgresLocation(location: string): PostgresLocation {
  let timeoutSeconds = DEFAULT_TIMEOUT_SECONDS;
  let rest = location;
  try {
    const url = new URL(location);
    const given = url.searchParams.get("timeout");
    if (given !== null) {
      timeoutSeconds = Number(given);
      if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
        throw new ConfigError(
          RunnerCodes.STATE_STORE_UNAVAILABLE,
          `the Postgres state store location has timeout=${given}, which is not a number of seconds above 0`,
          { hint: "Write ?timeout=30 (the default), or leave it out." },
        );
      }
      url.searchParams.delete("timeout");
      rest = url.toString();
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
  }
  const parsed = readPostgresUrl(rest);
  if (parsed !== undefined) return { ...parsed, timeoutMs: timeoutSeconds * 1000 };
  throw new ConfigError(RunnerCodes.STATE_STORE_UNAVAILABLE, "the Postgres state store location is not a valid URL", {
    hint: "Write it as postgres://user:password@host:5432/database (state_store in pipelines.toml, --state-store or AGORA_STATE_STORE).",
  });
}
