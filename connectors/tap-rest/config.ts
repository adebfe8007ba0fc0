import type { ConnectorConfig, JsonSchema } from "../../protocol/tap.js";
import type { HttpAuth } from "../../protocol/sdk/http/index.js";

const pagination: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["style"],
  description:
    "How the endpoint pages: none, page (page_param, size_param, size, first_page), offset (offset_param, limit_param, limit), cursor (cursor_param, cursor_path in the body), or link (Link header rel=next).",
  properties: {
    style: { type: "string", enum: ["none", "page", "offset", "cursor", "link"] },
    page_param: { type: "string" },
    size_param: { type: "string" },
    size: { type: "integer", minimum: 1 },
    first_page: { type: "integer" },
    offset_param: { type: "string" },
    limit_param: { type: "string" },
    limit: { type: "integer", minimum: 1 },
    cursor_param: { type: "string" },
    cursor_path: { type: "string" },
  },
};

export const REST_SETTINGS: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["base_url", "streams"],
  properties: {
    base_url: { type: "string", format: "uri", description: "The API's base URL, e.g. https://api.example.com/v1." },
    auth: {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      description: "bearer (token), basic (username, password) or api_key (name, value, in: header|query).",
      properties: {
        type: { type: "string", enum: ["bearer", "basic", "api_key"] },
        token: { type: "string", secret: true },
        username: { type: "string" },
        password: { type: "string", secret: true },
        name: { type: "string" },
        value: { type: "string", secret: true },
        in: { type: "string", enum: ["header", "query"] },
      },
    },
    requests_per_second: { type: "number", exclusiveMinimum: 0, default: 5, description: "At most this many requests a second." },
    max_retries: { type: "integer", minimum: 0, default: 5, description: "Retries of a request that failed with 429, 5xx, a timeout or a dropped connection." },
    backoff_seconds: { type: "number", exclusiveMinimum: 0, default: 1, description: "First wait before a retry; doubled each time, with jitter." },
    max_backoff_seconds: { type: "number", exclusiveMinimum: 0, default: 60, description: "Longest wait between retries." },
    timeout_seconds: { type: "number", exclusiveMinimum: 0, default: 30, description: "A request with no answer in this time is retried." },
    breaker_threshold: { type: "integer", minimum: 1, default: 5, description: "Failures in a row that open the circuit breaker." },
    breaker_cooldown_seconds: { type: "number", minimum: 0, default: 30, description: "How long the breaker stays open before one probe." },
    cache_path: {
      type: "string",
      default: ".agora/http-cache.db",
      description:
        "Where cached responses are kept: a SQLite file, or a postgres://user:password@host/database URL (table http_cache in schema agora, or ?schema=) shared by taps on every host.",
    },
    cache_ttl_seconds: { type: "number", minimum: 0, default: 0, description: "Reuse a response this long (0: no cache)." },
    sample_size: { type: "integer", minimum: 1, default: 100, description: "Records from each stream's first page used to infer its schema." },
    streams: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "path"],
        properties: {
          name: { type: "string", minLength: 1, description: "Stream name." },
          path: { type: "string", description: "Path under base_url." },
          params: { type: "object", description: "Query parameters sent with every request." },
          records_path: { type: "string", default: "", description: 'Where the records are in the body, e.g. "data.items" ("" for a body that is the array).' },
          primary_key: { type: "array", items: { type: "string" }, default: [], description: "Fields that identify a record." },
          replication_key: { type: "string", description: "A field that only grows; makes the stream incremental and resumable." },
          replication_param: { type: "string", description: "Query parameter that asks for records after the saved replication key value." },
          sorted: { type: "boolean", default: false, description: "Records come in replication key order (the bookmark may then advance mid-stream)." },
          pagination,
        },
      },
    },
  },
};

export interface RestStreamConfig {
  name: string;
  path: string;
  params?: Record<string, unknown>;
  records_path: string;
  primary_key: string[];
  replication_key?: string;
  replication_param?: string;
  sorted: boolean;
  pagination?: {
    style: "none" | "page" | "offset" | "cursor" | "link";
    page_param?: string;
    size_param?: string;
    size?: number;
    first_page?: number;
    offset_param?: string;
    limit_param?: string;
    limit?: number;
    cursor_param?: string;
    cursor_path?: string;
  };
}

export interface RestConfig extends ConnectorConfig {
  base_url: string;
  auth?: { type: "bearer" | "basic" | "api_key"; token?: string; username?: string; password?: string; name?: string; value?: string; in?: "header" | "query" };
  requests_per_second: number;
  max_retries: number;
  backoff_seconds: number;
  max_backoff_seconds: number;
  timeout_seconds: number;
  breaker_threshold: number;
  breaker_cooldown_seconds: number;
  cache_path: string;
  cache_ttl_seconds: number;
  sample_size: number;
  streams: RestStreamConfig[];
}

export function authOf(config: RestConfig): HttpAuth | undefined {
  const auth = config.auth;
  if (auth === undefined) return undefined;
  if (auth.type === "bearer") return { type: "bearer", token: auth.token ?? "" };
  if (auth.type === "basic") return { type: "basic", username: auth.username ?? "", password: auth.password ?? "" };
  return { type: "api_key", name: auth.name ?? "x-api-key", value: auth.value ?? "", in: auth.in ?? "header" };
}
