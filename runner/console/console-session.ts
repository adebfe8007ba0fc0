import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** A login lasts this long; then the login page asks for the token again. */
const SESSION_MS = 12 * 60 * 60 * 1000;
export const SESSION_COOKIE = "agora_session";

/** Compares two texts in constant time (hashing first hides the length). */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHmac("sha256", "agora-compare").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of a request's `Authorization: Bearer TOKEN` (the scheme is case-insensitive, RFC 9110), if it sent one. */
export function bearerTokenOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? "";
  const scheme = /^bearer[ \t]+/i.exec(header);
  return scheme === null ? undefined : header.slice(scheme[0].length).trim();
}

/** The value of cookie `name` in a request, if it sent one. */
export function cookieOf(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The console's logins, kept nowhere but in the cookie: a session is its
 * expiry signed with the token, so a changed token ends every session and a
 * restart keeps them. Each session has its CSRF token, the session signed
 * again: a page of the console gets it from /api/session and sends it with
 * every action; another site can read neither.
 */
export class ConsoleSessions {
  constructor(
    private readonly token: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `presented` is the console's token. */
  tokenMatches(presented: string): boolean {
    return sameSecret(presented, this.token);
  }

  /** A new session's cookie value. */
  issue(): string {
    const expires = String(this.now() + SESSION_MS);
    return `${expires}.${this.sign(`session:${expires}`)}`;
  }

  /** The Set-Cookie header of a new session: only HTTP sends it back, only to this site, never to a page elsewhere. */
  cookieHeader(secure: boolean): string {
    return `${SESSION_COOKIE}=${this.issue()}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}${secure ? "; Secure" : ""}`;
  }

  /** The Set-Cookie header that ends a session. */
  static clearCookieHeader(): string {
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /** True for a session this token signed that has not expired. */
  valid(session: string | undefined): session is string {
    if (session === undefined) return false;
    const [expires, signature, extra] = session.split(".");
    if (expires === undefined || signature === undefined || extra !== undefined || !/^\d{1,15}$/.test(expires)) return false;
    return sameSecret(signature, this.sign(`session:${expires}`)) && Number(expires) > this.now();
  }

  /** The CSRF token of a session. */
  csrfFor(session: string): string {
    return this.sign(`csrf:${session}`);
  }

  csrfMatches(session: string, presented: string | undefined): boolean {
    return presented !== undefined && sameSecret(presented, this.csrfFor(session));
  }

  private sign(text: string): string {
    return createHmac("sha256", this.token).update(text).digest("base64url");
  }
}
