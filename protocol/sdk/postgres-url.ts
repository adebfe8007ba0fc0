import { registerSecret } from "../secrets/secret-values.js";

/** A Postgres location as Agora reads it. */
export interface PostgresUrl {
  /** The connection string for `pg`, without Agora's own parameters. */
  readonly connectionString: string;
  /** The schema Agora's tables live in (`?schema=`, default `agora`). */
  readonly schema: string;
  /** The location for messages: the password masked. */
  readonly shown: string;
}

/** True for a location that names a Postgres server (`postgres://` or `postgresql://`) rather than a file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A URL as text for messages: its password, if any, as `***`. */
export function withPasswordMasked(url: URL): string {
  const shown = new URL(url);
  if (shown.password !== "") shown.password = "***";
  return shown.toString();
}

/**
 * Reads `postgres://user:password@host:port/database?schema=name`: the
 * password is registered as a secret (masked wherever it would show), and
 * the schema parameter, Agora's own, is not passed on to the server.
 * Undefined when `location` is not a URL; the caller says what it was for.
 */
export function readPostgresUrl(location: string): PostgresUrl | undefined {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return undefined;
  }
  if (url.password !== "") registerSecret(decodeURIComponent(url.password));
  const schema = url.searchParams.get("schema") ?? "agora";
  url.searchParams.delete("schema");
  const shown = new URL(withPasswordMasked(url));
  if (schema !== "agora") shown.searchParams.set("schema", schema);
  return { connectionString: url.toString(), schema, shown: shown.toString() };
}
