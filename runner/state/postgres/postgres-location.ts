import { ConfigError, registerSecret } from "../../../protocol/index.js";
import { RunnerCodes } from "../../errors.js";

/** True for a state store location that names a Postgres server. */
export function isPostgresLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

export interface PostgresLocation {
  /** The connection string for `pg`, without Agora's own parameters. */
  readonly connectionString: string;
  /** The schema the store's tables live in (`?schema=`, default `agora`). */
  readonly schema: string;
  /** The location for messages: the password masked. */
  readonly shown: string;
}

/**
 * Reads `postgres://user:password@host:port/database?schema=name`. The
 * password is registered as a secret (masked wherever it would show); the
 * schema parameter is Agora's and is not passed on to the server.
 */
export function parsePostgresLocation(location: string): PostgresLocation {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new ConfigError(RunnerCodes.STATE_STORE_UNAVAILABLE, "the Postgres state store location is not a valid URL", {
      hint: "Write it as postgres://user:password@host:5432/database (state_store in pipelines.toml, --state-store or AGORA_STATE_STORE).",
    });
  }
  if (url.password !== "") registerSecret(decodeURIComponent(url.password));
  const schema = url.searchParams.get("schema") ?? "agora";
  url.searchParams.delete("schema");
  const shown = new URL(url);
  if (shown.password !== "") shown.password = "***";
  if (schema !== "agora") shown.searchParams.set("schema", schema);
  return { connectionString: url.toString(), schema, shown: shown.toString() };
}
