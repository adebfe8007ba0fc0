import { randomBytes } from "node:crypto";

/** A token for a console started without one: it lives as long as the process, and only the log line says it. */
export function oneTimeToken(): string {
  return randomBytes(24).toString("base64url");
}

/**
 * Where the console is, in the log. With a token made for this process, the
 * address carries it after `#`: a browser never sends that part to a server,
 * and the login page signs in with it.
 */
export function consoleLine(address: { address: string; port: number }, madeToken: string | undefined): string {
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}/`;
  return madeToken === undefined
    ? `web console on ${base} (sign in with the health token)`
    : `web console on ${base}login#token=${madeToken} (a token made for this process: set AGORA_HEALTH_AUTH_TOKEN to choose one)`;
}
