/*
 * What a failure talking to Postgres means, read once for every part that
 * talks to it (target-postgres, the runner's Postgres state store, the HTTP
 * response cache): by the network's error code before a server answers,
 * then by SQLSTATE code, then by its two-character class. Each caller says
 * it in its own words and picks its own error code from the kind.
 */

export type PostgresProblemKind =
  /** No server answered: refused, unknown host, network down, a connection failure (class 08). */
  | "unreachable"
  /** The server did not answer in time. */
  | "timed-out"
  /** The connection ended under a query (the server stopped, a proxy cut it). */
  | "connection-lost"
  /** The URL asks for SSL and the server has none. */
  | "no-ssl"
  /** The server is shutting down or starting up (class 57). */
  | "shutting-down"
  /** The server refused the user or password (28P01, 28000). */
  | "login-refused"
  /** The database named does not exist (3D000). */
  | "no-database"
  /** The user lacks a privilege (42501). */
  | "not-allowed"
  /** The server's disk is full (53100). */
  | "disk-full"
  /** The server is out of connections or memory (class 53). */
  | "out-of-resources"
  /** The server takes no writes: a standby (25006). */
  | "read-only"
  /** A conflict with another transaction: serialization, deadlock (class 40). */
  | "conflict"
  /** A value a column or constraint refused (classes 22 and 23). */
  | "value-refused"
  /** Any other error the server reported. */
  | "server-error"
  /** Not an error of Postgres or the network at all. */
  | "not-postgres";

export interface PostgresProblem {
  readonly kind: PostgresProblemKind;
  /** The SQLSTATE, or the network's error code (ECONNREFUSED), when there is one. */
  readonly code: string | undefined;
  /** What the driver said. */
  readonly message: string;
  /** True when the same request may succeed later, with nothing changed. */
  readonly transient: boolean;
}

/** Errors from the network before a server answers. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

/** By SQLSTATE code first, then by class. */
const BY_SQLSTATE: Readonly<Record<string, PostgresProblemKind>> = {
  "53100": "disk-full",
  "25006": "read-only",
  "28P01": "login-refused",
  "28000": "login-refused",
  "3D000": "no-database",
  "42501": "not-allowed",
  "53": "out-of-resources",
  "57": "shutting-down",
  "08": "unreachable",
  "40": "conflict",
  "22": "value-refused",
  "23": "value-refused",
};

const TRANSIENT: ReadonlySet<PostgresProblemKind> = new Set(["unreachable", "timed-out", "connection-lost", "shutting-down", "out-of-resources", "conflict"]);

/** What the SSL-less server's refusal says, as the driver words it. */
const NO_SSL = /does not support SSL connections/i;
const TIMED_OUT = /query read timeout|timeout exceeded when trying to connect|connection timeout/i;
const LOST = /timeout|terminated/i;

/** The kind of a failure from the `pg` driver (or the network under it). */
export function postgresProblem(error: unknown): PostgresProblem {
  const code = typeof (error as { code?: unknown } | null)?.code === "string" ? (error as { code: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const kind = kindOf(code, message);
  return { kind, code, message, transient: TRANSIENT.has(kind) };
}

function kindOf(code: string | undefined, message: string): PostgresProblemKind {
  if (code !== undefined && NETWORK_CODES.has(code)) return "unreachable";
  if (NO_SSL.test(message)) return "no-ssl";
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code)) return BY_SQLSTATE[code] ?? BY_SQLSTATE[code.slice(0, 2)] ?? "server-error";
  if (TIMED_OUT.test(message)) return "timed-out";
  if (LOST.test(message)) return "connection-lost";
  return "not-postgres";
}
