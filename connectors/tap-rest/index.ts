import { SchemaInferrer } from "../../catalogs/index.js";
import { bookmarked, defineTap, isRequested, type JsonSchema, type Logger, type TapStream } from "../../protocol/tap.js";
import { HttpClient, paginate, type Pagination } from "../../protocol/sdk/http/index.js";
import { authOf, REST_SETTINGS, type RestConfig, type RestStreamConfig } from "./config.js";

function clientFor(config: RestConfig, logger: Logger): HttpClient {
  return new HttpClient({
    baseUrl: config.base_url,
    auth: authOf(config),
    requestsPerSecond: config.requests_per_second,
    maxRetries: config.max_retries,
    backoffSeconds: config.backoff_seconds,
    maxBackoffSeconds: config.max_backoff_seconds,
    timeoutSeconds: config.timeout_seconds,
    breaker: { threshold: config.breaker_threshold, cooldownSeconds: config.breaker_cooldown_seconds },
    cache: { path: config.cache_path, ttlSeconds: config.cache_ttl_seconds },
    logger,
  });
}

function paginationOf(stream: RestStreamConfig): Pagination {
  const p = stream.pagination;
  switch (p?.style) {
    case undefined:
    case "none":
      return { style: "none" };
    case "page":
      return {
        style: "page",
        ...(p.page_param === undefined ? {} : { pageParam: p.page_param }),
        ...(p.size_param === undefined ? {} : { sizeParam: p.size_param }),
        ...(p.size === undefined ? {} : { size: p.size }),
        ...(p.first_page === undefined ? {} : { firstPage: p.first_page }),
      };
    case "offset":
      return {
        style: "offset",
        limit: p.limit ?? 100,
        ...(p.offset_param === undefined ? {} : { offsetParam: p.offset_param }),
        ...(p.limit_param === undefined ? {} : { limitParam: p.limit_param }),
      };
    case "cursor":
      return { style: "cursor", cursorPath: p.cursor_path ?? "next", ...(p.cursor_param === undefined ? {} : { cursorParam: p.cursor_param }) };
    case "link":
      return { style: "link" };
  }
}

/** Where a cursor-paginated stream resumes: the cursor of a page, and how many of its records were emitted. */
interface CursorBookmark {
  readonly cursor: unknown;
  readonly skip: number;
}

/**
 * The stream: schema inferred from the first page; records page by page.
 * With a replication key it is incremental (the SDK keeps the largest value
 * as the bookmark). Without one, a cursor-paginated stream resumes by
 * cursor: each record is bookmarked with its page's cursor and its place in
 * the page. Other streams do not claim to resume.
 */
/** The schema of a stream from a sample of its first page. */
async function inferSchema(stream: RestStreamConfig, config: RestConfig, client: HttpClient): Promise<JsonSchema> {
  const inferrer = new SchemaInferrer({ mode: "json", keyFields: stream.primary_key });
  for await (const page of paginate(client, stream.path, stream.params ?? {}, stream.records_path, paginationOf(stream))) {
    for (const record of page.records.slice(0, config.sample_size)) inferrer.observe(record);
    break;
  }
  return inferrer.toSchema();
}

/** A stream of an API; with a known schema (a sync's catalog) no page is fetched to infer one. */
async function restStream(stream: RestStreamConfig, config: RestConfig, client: HttpClient, knownSchema?: JsonSchema): Promise<TapStream<RestConfig>> {
  const schema = knownSchema ?? (await inferSchema(stream, config, client));
  const byCursor = stream.replication_key === undefined && stream.pagination?.style === "cursor";
  return {
    name: stream.name,
    schema,
    keyProperties: stream.primary_key,
    ...(stream.replication_key === undefined ? {} : { replicationKey: stream.replication_key }),
    sortedByReplicationKey: stream.sorted,
    resumable: byCursor,
    async *records({ replicationKeyValue, bookmark }) {
      const params = { ...stream.params };
      if (stream.replication_param !== undefined && replicationKeyValue !== undefined && replicationKeyValue !== null)
        params[stream.replication_param] = replicationKeyValue;
      if (!byCursor) {
        for await (const page of paginate(client, stream.path, params, stream.records_path, paginationOf(stream))) yield page.records;
        return;
      }
      const saved = bookmark as CursorBookmark | undefined;
      const pagination = { ...(paginationOf(stream) as Extract<Pagination, { style: "cursor" }>), startCursor: saved?.cursor };
      let skip = saved?.skip ?? 0;
      for await (const page of paginate(client, stream.path, params, stream.records_path, pagination)) {
        const cursor = page.cursor ?? null;
        yield page.records.slice(skip).map((record, index) => bookmarked(record, { cursor, skip: skip + index + 1 } satisfies CursorBookmark));
        skip = 0;
      }
    },
  };
}

export const tapRest = defineTap<RestConfig>({
  name: "tap-rest",
  version: "0.1.0",
  description:
    "Reads JSON REST APIs declared in the config: pagination (page, offset, cursor, Link), rate limit, retries with backoff on 429/5xx/timeouts, a circuit breaker, a response cache, and incremental, resumable streams where a replication key exists.",
  resumable: true,
  settings: REST_SETTINGS,
  async discoverStreams({ config, logger }, request) {
    const client = clientFor(config, logger);
    const streams = [];
    for (const stream of config.streams) {
      if (isRequested(request, stream.name)) streams.push(await restStream(stream, config, client, request?.schemas.get(stream.name)));
    }
    return streams;
  },
  async testConnection({ config, logger }) {
    const client = clientFor(config, logger);
    const first = config.streams[0] as RestStreamConfig;
    const response = await client.getJson(first.path, first.params ?? {});
    await client.close();
    return `GET ${response.url} answered ${response.status}`;
  },
});
