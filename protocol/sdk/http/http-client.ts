import { ConfigError, FatalError, TransientError } from "../../errors.js";
import type { Logger } from "../logger.js";
import { parseJson } from "../../values/exact-json.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { RateLimiter } from "./rate-limiter.js";
import { openResponseCache } from "./open-response-cache.js";
import type { ResponseCache } from "./response-cache.js";
import { ProtocolCodes } from "../../messages/codes.js";

export type HttpAuth =
  | { readonly type: "bearer"; readonly token: string }
  | { readonly type: "basic"; readonly username: string; readonly password: string }
  | { readonly type: "api_key"; readonly name: string; readonly value: string; readonly in?: "header" | "query" };

export interface HttpClientOptions {
  readonly baseUrl: string;
  readonly auth?: HttpAuth | undefined;
  readonly requestsPerSecond?: number;
  readonly maxRetries?: number;
  readonly backoffSeconds?: number;
  readonly maxBackoffSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly breaker?: { readonly threshold: number; readonly cooldownSeconds: number };
  /** Where responses are kept (a SQLite file's path or a postgres:// URL), and for how long; no cache when the TTL is 0. */
  readonly cache?: { readonly path: string; readonly ttlSeconds: number } | undefined;
  readonly logger?: Logger;
}

export interface JsonResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly fromCache: boolean;
}

const SECRET_PARAMS = /^(api[_-]?key|key|token|access[_-]?token|secret|password|signature|sig)$/i;
const MAX_RETRY_AFTER_SECONDS = 300;

/** A URL fit for an error message: secret query parameters masked. */
export function redactUrl(url: URL, extraSecret?: string): string {
  const copy = new URL(url);
  for (const name of [...copy.searchParams.keys()]) if (SECRET_PARAMS.test(name) || name === extraSecret) copy.searchParams.set(name, "***");
  copy.password = copy.password === "" ? "" : "***";
  return copy.toString();
}

/** Seconds a Retry-After header asks to wait (a number or an HTTP date), if any. */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An HTTP client for taps, on Node's fetch: a requests-per-second limit
 * (token bucket), retries with exponential backoff and jitter on 429, 5xx,
 * timeouts and dropped connections (honouring Retry-After), a circuit
 * breaker, an optional response cache (SQLite or Postgres) with a TTL, request
 * timeouts, and bearer, basic or API-key auth. Every failure names the URL
 * (secrets masked), the status and what was tried.
 */
export class HttpClient {
  private readonly limiter: RateLimiter | undefined;
  private readonly breaker: CircuitBreaker;
  /** Opened on the first request, so a failure to open it is that request's error. */
  private cache: Promise<ResponseCache> | undefined;
  private readonly base: URL;

  constructor(private readonly options: HttpClientOptions) {
    this.base = new URL(options.baseUrl);
    this.limiter = options.requestsPerSecond === undefined ? undefined : new RateLimiter(options.requestsPerSecond);
    this.breaker = new CircuitBreaker(options.breaker?.threshold ?? 5, (options.breaker?.cooldownSeconds ?? 30) * 1000, this.base.host);
  }

  async close(): Promise<void> {
    const cache = await this.cache?.catch(() => undefined);
    await cache?.close();
  }

  private openCache(): Promise<ResponseCache> | undefined {
    const settings = this.options.cache;
    if (settings === undefined || settings.ttlSeconds <= 0) return undefined;
    this.cache ??= openResponseCache(settings.path);
    return this.cache;
  }

  /** The full URL for a path (or absolute URL, such as a Link header's) and query parameters. */
  url(pathOrUrl: string, params: Record<string, unknown> = {}): URL {
    const url = /^https?:\/\//.test(pathOrUrl)
      ? new URL(pathOrUrl)
      : new URL(pathOrUrl.replace(/^\//, ""), this.base.href.endsWith("/") ? this.base : new URL(`${this.base.href}/`));
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    return url;
  }

  /** GETs JSON, with every protection; throws FatalError or ConfigError for what retrying cannot fix. */
  async getJson(pathOrUrl: string, params: Record<string, unknown> = {}): Promise<JsonResponse> {
    const url = this.url(pathOrUrl, params);
    const auth = this.options.auth;
    if (auth?.type === "api_key" && auth.in === "query") url.searchParams.set(auth.name, auth.value);
    const shown = redactUrl(url, auth?.type === "api_key" ? auth.name : undefined);
    // A digest of the real request: no URL (which may carry a secret in any parameter) is stored in the clear.
    const { createHash } = process.getBuiltinModule("node:crypto");
    const cacheKey = createHash("sha256")
      .update(`GET ${url.href}\n${JSON.stringify(auth ?? null)}`)
      .digest("hex");
    const cache = await this.openCache();
    const cached = await cache?.get(cacheKey);
    if (cached !== undefined) return { url: shown, status: cached.status, headers: cached.headers, body: this.parse(cached.body, shown), fromCache: true };

    const maxRetries = this.options.maxRetries ?? 5;
    const tried: string[] = [];
    const started = Date.now();
    for (let attempt = 1; attempt <= maxRetries + 1; attempt += 1) {
      try {
        return await this.attempt(url, shown, cacheKey);
      } catch (error) {
        // The error's class decides: only a TransientError is tried again.
        if (!(error instanceof TransientError)) throw error;
        tried.push(error.message);
        if (attempt > maxRetries) break;
        const waitMs =
          error instanceof RetryLater ? error.waitMs(this.backoffMs(attempt), (this.options.breaker?.cooldownSeconds ?? 30) * 1000) : this.backoffMs(attempt);
        this.options.logger?.warn(`GET ${shown}: ${error.message}; attempt ${attempt} of ${maxRetries + 1}, next in ${(waitMs / 1000).toFixed(1)} s`);
        await sleep(waitMs);
      }
    }
    throw new FatalError(
      ProtocolCodes.HTTP_GAVE_UP,
      `GET ${shown} failed ${tried.length} time(s) over ${((Date.now() - started) / 1000).toFixed(1)} s: ${tried.join(", ")}`,
      {
        hint: "The source keeps failing; check that it is up, then run again (the last confirmed checkpoint is kept).",
      },
    );
  }

  /**
   * One try. Throws a TransientError for what may pass (a timeout, a failed
   * connection, 429, 5xx, an open circuit), a ConfigError for refused
   * credentials, a FatalError for any other refusal or a malformed body.
   */
  private async attempt(url: URL, shown: string, cacheKey: string): Promise<JsonResponse> {
    try {
      this.breaker.before();
    } catch (error) {
      if (error instanceof TransientError) throw new RetryLater("CIRCUIT_OPEN", "circuit open", { cooldown: true, cause: error });
      throw error;
    }
    await this.limiter?.take();
    let response: Response;
    try {
      response = await fetch(url, { headers: this.headers(), signal: AbortSignal.timeout((this.options.timeoutSeconds ?? 30) * 1000) });
    } catch (error) {
      this.breaker.failure();
      const timedOut = (error as Error).name === "TimeoutError";
      const reason = timedOut
        ? `timed out after ${this.options.timeoutSeconds ?? 30} s`
        : `connection failed (${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message})`;
      throw new RetryLater(timedOut ? "HTTP_TIMEOUT" : "HTTP_CONNECTION_FAILED", reason, { cause: error });
    }
    if (response.status === 429 || response.status >= 500) {
      if (response.status >= 500) this.breaker.failure();
      const after = retryAfterSeconds(response.headers.get("retry-after"));
      await response.body?.cancel();
      throw new RetryLater(
        response.status === 429 ? "HTTP_RATE_LIMITED" : "HTTP_SERVER_ERROR",
        `${response.status}${after === undefined ? "" : ` (Retry-After ${after.toFixed(0)} s)`}`,
        {
          ...(after === undefined ? {} : { afterMs: Math.min(after, MAX_RETRY_AFTER_SECONDS) * 1000 }),
        },
      );
    }
    this.breaker.success();
    const text = await response.text();
    if (response.status >= 400) throw this.refused(response.status, shown, text);
    const headers = Object.fromEntries(response.headers.entries());
    const body = this.parse(text, shown);
    const cache = await this.openCache();
    if (cache !== undefined && this.options.cache !== undefined)
      await cache.set(cacheKey, { status: response.status, headers, body: text }, this.options.cache.ttlSeconds);
    return { url: shown, status: response.status, headers, body, fromCache: false };
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "agora-sdk" };
    const auth = this.options.auth;
    if (auth?.type === "bearer") headers["authorization"] = `Bearer ${auth.token}`;
    else if (auth?.type === "basic") headers["authorization"] = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
    else if (auth?.type === "api_key" && auth.in !== "query") headers[auth.name.toLowerCase()] = auth.value;
    return headers;
  }

  private backoffMs(attempt: number): number {
    const full = Math.min(this.options.maxBackoffSeconds ?? 60, (this.options.backoffSeconds ?? 1) * 2 ** (attempt - 1));
    return (full / 2 + Math.random() * (full / 2)) * 1000;
  }

  private parse(text: string, shown: string): unknown {
    try {
      // Every number as the source wrote it: an API's 64-bit ids are past 2^53.
      return parseJson(text);
    } catch (error) {
      const excerpt = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
      throw new FatalError(ProtocolCodes.HTTP_MALFORMED_JSON, `GET ${shown} returned malformed JSON (${(error as Error).message}): ${excerpt}`, {
        hint: "The source answered with something that is not JSON; check the URL and the source.",
        cause: error,
      });
    }
  }

  private refused(status: number, shown: string, text: string): Error {
    const excerpt = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    if (status === 401 || status === 403) {
      return new ConfigError(ProtocolCodes.HTTP_UNAUTHORIZED, `GET ${shown} was refused with ${status}: ${excerpt}`, {
        hint: "Check the credentials in the config (auth).",
      });
    }
    return new FatalError(ProtocolCodes.HTTP_REFUSED, `GET ${shown} answered ${status}: ${excerpt}`, {
      hint: status === 404 ? "Check the path in the config." : "The request is wrong in a way retrying cannot fix; check the config.",
    });
  }
}

/** A try that may pass later, with how long to wait: what the server asked (Retry-After), the breaker's cool-down, or the backoff. */
class RetryLater extends TransientError {
  private readonly afterMs: number | undefined;
  private readonly cooldown: boolean;

  constructor(code: string, message: string, options: { afterMs?: number; cooldown?: boolean; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.afterMs = options.afterMs;
    this.cooldown = options.cooldown ?? false;
  }

  waitMs(backoffMs: number, cooldownMs: number): number {
    if (this.afterMs !== undefined) return this.afterMs;
    return this.cooldown ? Math.max(backoffMs, cooldownMs) : backoffMs;
  }
}
