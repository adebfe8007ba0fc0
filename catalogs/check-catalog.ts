import type { Catalog } from "./catalog.js";

/**
 * Checks that a parsed JSON value is a usable Singer catalog. Returns the
 * problems found, each a sentence naming where (empty when it is fine).
 * Callers turn problems into errors of their own kind; this layer stays pure.
 */
export function findCatalogProblems(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["the catalog must be a JSON object"];
  const streams = (value as Record<string, unknown>)["streams"];
  if (!Array.isArray(streams)) return ['the catalog has no "streams" array'];
  const problems: string[] = [];
  const seen = new Set<string>();
  streams.forEach((entry: unknown, index) => {
    const where = `streams[${index}]`;
    if (typeof entry !== "object" || entry === null) {
      problems.push(`${where} is not an object`);
      return;
    }
    const stream = entry as Record<string, unknown>;
    const id = stream["tap_stream_id"];
    if (typeof id !== "string" || id === "") {
      problems.push(`${where} has no "tap_stream_id"`);
    } else if (seen.has(id)) {
      problems.push(`${where}: tap_stream_id "${id}" appears twice`);
    } else {
      seen.add(id);
    }
    const schema = stream["schema"];
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) problems.push(`${where} has no "schema" object`);
    const metadata = stream["metadata"];
    if (metadata !== undefined) {
      if (!Array.isArray(metadata)) {
        problems.push(`${where}.metadata is not an array`);
      } else {
        metadata.forEach((item: unknown, metadataIndex) => {
          const crumb = (item as Record<string, unknown> | null)?.["breadcrumb"];
          if (!Array.isArray(crumb) || !crumb.every((part) => typeof part === "string")) {
            problems.push(`${where}.metadata[${metadataIndex}] has no "breadcrumb" array`);
          }
        });
      }
    }
  });
  return problems;
}

/** Fills in what the spec lets a catalog leave out (`stream`, `metadata`). Call after findCatalogProblems. */
export function normalizeCatalog(value: unknown): Catalog {
  const streams = (value as { streams: Record<string, unknown>[] }).streams;
  return {
    streams: streams.map((stream) => ({
      ...stream,
      tap_stream_id: stream["tap_stream_id"] as string,
      stream: typeof stream["stream"] === "string" ? stream["stream"] : (stream["tap_stream_id"] as string),
      schema: stream["schema"] as Record<string, unknown>,
      metadata: Array.isArray(stream["metadata"]) ? (stream["metadata"] as Catalog["streams"][number]["metadata"]) : [],
    })),
  };
}
