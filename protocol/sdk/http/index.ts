/**
 * The SDK's HTTP client for taps of web APIs: `agora/sdk/http`. Its own
 * entry, so a connector that does not call an API (and so does not need the
 * response cache's SQLite or Postgres driver) loads none of it.
 */
export { HttpClient, redactUrl, retryAfterSeconds, type HttpAuth, type HttpClientOptions, type JsonResponse } from "./http-client.js";
export { nextLink, paginate, valueAtPath, type Page, type Pagination } from "./pagination.js";
export { RateLimiter } from "./rate-limiter.js";
export { CircuitBreaker } from "./circuit-breaker.js";
export { openResponseCache } from "./open-response-cache.js";
export type { CachedResponse, ResponseCache } from "./response-cache.js";
