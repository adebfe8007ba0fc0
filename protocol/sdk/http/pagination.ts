import type { HttpClient, JsonResponse } from "./http-client.js";

/** How a source splits results into pages. */
export type Pagination =
  | { readonly style: "none" }
  | { readonly style: "page"; readonly pageParam?: string; readonly sizeParam?: string; readonly size?: number; readonly firstPage?: number }
  | { readonly style: "offset"; readonly offsetParam?: string; readonly limitParam?: string; readonly limit: number }
  | { readonly style: "cursor"; readonly cursorParam?: string; readonly cursorPath: string; readonly startCursor?: unknown }
  | { readonly style: "link" };

/** The value at a dotted path ("data.items") in a parsed body; "" is the body itself. */
export function valueAtPath(body: unknown, path: string): unknown {
  if (path === "") return body;
  let node = body;
  for (const part of path.split(".")) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  return node;
}

/** The URL of rel="next" in a Link header, if any. */
export function nextLink(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match !== null) return match[1];
  }
  return undefined;
}

export interface Page {
  readonly response: JsonResponse;
  readonly records: Array<Record<string, unknown>>;
  /** For cursor pagination: the cursor this page was fetched with (undefined for the first page). */
  readonly cursor?: unknown;
}

/**
 * Fetches page after page. A tap author gives how to get one page (path
 * and params) and where the records are (`recordsPath`); this walks page
 * numbers, offsets, a cursor in the body or Link headers, and stops at an
 * empty (or short) page or when there is no next.
 */
export async function* paginate(
  client: HttpClient,
  path: string,
  params: Record<string, unknown>,
  recordsPath: string,
  pagination: Pagination,
): AsyncGenerator<Page> {
  const recordsOf = (response: JsonResponse): Array<Record<string, unknown>> => {
    const found = valueAtPath(response.body, recordsPath);
    if (!Array.isArray(found)) throw new Error(`GET ${response.url}: no array of records at "${recordsPath || "(the body)"}"`);
    return found as Array<Record<string, unknown>>;
  };
  switch (pagination.style) {
    case "none": {
      const response = await client.getJson(path, params);
      yield { response, records: recordsOf(response) };
      return;
    }
    case "page": {
      const size = pagination.size;
      for (let page = pagination.firstPage ?? 1; ; page += 1) {
        const response = await client.getJson(path, {
          ...params,
          [pagination.pageParam ?? "page"]: page,
          ...(size === undefined ? {} : { [pagination.sizeParam ?? "per_page"]: size }),
        });
        const records = recordsOf(response);
        if (records.length > 0) yield { response, records };
        if (records.length === 0 || (size !== undefined && records.length < size)) return;
      }
    }
    case "offset": {
      for (let offset = 0; ; offset += pagination.limit) {
        const response = await client.getJson(path, {
          ...params,
          [pagination.offsetParam ?? "offset"]: offset,
          [pagination.limitParam ?? "limit"]: pagination.limit,
        });
        const records = recordsOf(response);
        if (records.length > 0) yield { response, records };
        if (records.length < pagination.limit) return;
      }
    }
    case "cursor": {
      let cursor: unknown = pagination.startCursor ?? undefined;
      for (;;) {
        const response = await client.getJson(path, {
          ...params,
          ...(cursor === undefined || cursor === null ? {} : { [pagination.cursorParam ?? "cursor"]: cursor }),
        });
        const records = recordsOf(response);
        if (records.length > 0) yield { response, records, cursor };
        cursor = valueAtPath(response.body, pagination.cursorPath);
        if (cursor === undefined || cursor === null || cursor === "" || records.length === 0) return;
      }
    }
    case "link": {
      let next: string | undefined = path;
      let first = true;
      while (next !== undefined) {
        const response = await client.getJson(next, first ? params : {});
        first = false;
        const records = recordsOf(response);
        if (records.length > 0) yield { response, records };
        next = nextLink(response.headers["link"]);
      }
    }
  }
}
