import type { IncomingMessage, ServerResponse } from "node:http";
import { stringifyJson, UsageError } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";

/** What a route answers: made whole before anything is sent, so a failure is a clean error, never half a page. */
export interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Headers on every answer of the console: no script, style, image or
 * connection but this server's, no framing by another site, no sniffing.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

export function jsonAnswer(value: unknown, status = 200): Answer {
  return { status, type: "application/json; charset=utf-8", body: `${stringifyJson(value)}\n` };
}

/** An error answer: the one line, its code and hint, as JSON the page shows. */
export function errorAnswer(status: number, code: string, message: string, hint?: string): Answer {
  return jsonAnswer({ error: { code, message, hint: hint ?? null } }, status);
}

export function redirect(location: string, headers: Record<string, string> = {}): Answer {
  return { status: 303, type: "text/plain; charset=utf-8", body: `see ${location}\n`, headers: { location, ...headers } };
}

export function send(response: ServerResponse, answer: Answer): void {
  if (response.headersSent) return;
  response.writeHead(answer.status, { ...SECURITY_HEADERS, "content-type": answer.type, ...answer.headers }).end(answer.body);
}

/** Largest request body the console reads (an edited record, a selection of ids, a login form). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A request's body as text, refused past MAX_BODY_BYTES. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new UsageError(RunnerCodes.USAGE, `the request body is over ${MAX_BODY_BYTES} bytes`, { hint: "Send a smaller selection or record." });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
