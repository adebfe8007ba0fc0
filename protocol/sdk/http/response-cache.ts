export interface CachedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Responses kept for a time-to-live under a key (a digest of the request),
 * across runs: in a SQLite file of the tap's, or in Postgres, where taps on
 * several hosts share one cache.
 */
export interface ResponseCache {
  /** The response kept under `key`, unless there is none or it has expired. */
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, response: CachedResponse, ttlSeconds: number): Promise<void>;
  close(): Promise<void>;
}
