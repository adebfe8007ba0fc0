import { findCatalogProblems, normalizeCatalog, streamMetadata, type Catalog, type CatalogStream } from "../../catalogs/index.js";
import { RecordValidator, type JsonSchema } from "../../protocol/index.js";
import { fail, pass, type CheckResult } from "./check-result.js";

function keysOf(stream: CatalogStream): string[] {
  return [...(stream.key_properties ?? streamMetadata(stream)["table-key-properties"] ?? [])];
}

function replicationKeysOf(stream: CatalogStream): string[] {
  const metadata = streamMetadata(stream);
  return [
    ...(stream.replication_key === undefined ? [] : [stream.replication_key]),
    ...(metadata["replication-key"] === undefined ? [] : [metadata["replication-key"]]),
    ...(metadata["valid-replication-keys"] ?? []),
  ];
}

/** Walks a breadcrumb through a schema; true if every step exists. */
function resolves(schema: JsonSchema, breadcrumb: readonly string[]): boolean {
  let node: unknown = schema;
  for (const part of breadcrumb) {
    if (typeof node !== "object" || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

/** The catalog checks on `--discover` output. Returns the catalog when it is usable. */
export function checkCatalog(stdout: string): { results: CheckResult[]; catalog: Catalog | undefined } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (error) {
    return { results: [fail("discover", `--discover did not print JSON (${(error as Error).message})`)], catalog: undefined };
  }
  const problems = findCatalogProblems(parsed);
  if (problems.length > 0) return { results: [fail("discover", `the catalog is not valid: ${problems[0]}`)], catalog: undefined };
  const catalog = normalizeCatalog(parsed);
  const results = [pass("discover", `${catalog.streams.length} stream(s): ${catalog.streams.map((stream) => stream.tap_stream_id).join(", ")}`)];

  // Compiled as the runner and our targets compile them (wide schemas property by property).
  const validator = new RecordValidator();
  const badSchema = catalog.streams
    .map((stream) => {
      try {
        validator.setSchema(stream.tap_stream_id, stream.schema);
        return undefined;
      } catch (error) {
        return `stream ${stream.tap_stream_id}: ${(error as Error).message}`;
      }
    })
    .find((problem) => problem !== undefined);
  results.push(badSchema === undefined ? pass("catalog_schemas", "every stream's schema is a usable JSON Schema") : fail("catalog_schemas", badSchema));

  const missingKey = catalog.streams
    .flatMap((stream) => {
      const properties = Object.keys((stream.schema["properties"] ?? {}) as object);
      return [
        ...keysOf(stream)
          .filter((key) => !properties.includes(key))
          .map((key) => `stream ${stream.tap_stream_id}: key property "${key}" is not in its schema`),
        ...replicationKeysOf(stream)
          .filter((key) => !properties.includes(key))
          .map((key) => `stream ${stream.tap_stream_id}: replication key "${key}" is not in its schema`),
      ];
    })
    .at(0);
  results.push(missingKey === undefined ? pass("catalog_keys", "key properties and replication keys are in their schemas") : fail("catalog_keys", missingKey));

  const badCrumb = catalog.streams
    .flatMap((stream) =>
      stream.metadata
        .filter((entry) => !resolves(stream.schema, entry.breadcrumb))
        .map((entry) => `stream ${stream.tap_stream_id}: breadcrumb ${JSON.stringify(entry.breadcrumb)} does not resolve in its schema`),
    )
    .at(0);
  results.push(badCrumb === undefined ? pass("catalog_breadcrumbs", "every metadata breadcrumb resolves") : fail("catalog_breadcrumbs", badCrumb));
  return { results, catalog };
}

/** A copy of the catalog with every stream selected, then `change` applied to one stream's metadata. */
export function selectAll(catalog: Catalog, change?: { stream: string; breadcrumb: readonly string[]; selected: boolean }): Catalog {
  return {
    streams: catalog.streams.map((stream) => {
      const metadata = [...stream.metadata];
      const setAt = (breadcrumb: readonly string[], selected: boolean): void => {
        const index = metadata.findIndex((entry) => JSON.stringify(entry.breadcrumb) === JSON.stringify(breadcrumb));
        if (index === -1) metadata.push({ breadcrumb, metadata: { selected } });
        else metadata[index] = { breadcrumb, metadata: { ...metadata[index]?.metadata, selected } };
      };
      setAt([], true);
      const changed = change !== undefined && change.stream === stream.tap_stream_id;
      if (changed) setAt(change.breadcrumb, change.selected);
      // The legacy top-level flag says the same as the stream's metadata: older taps read only that.
      const streamSelected = !(changed && change.breadcrumb.length === 0 && !change.selected);
      return { ...stream, selected: streamSelected, metadata };
    }),
  };
}

/** A property that may be deselected (inclusion "available", not a key or replication key), if any. */
export function deselectableProperty(catalog: Catalog): { stream: string; property: string } | undefined {
  for (const stream of catalog.streams) {
    const automatic = new Set([...keysOf(stream), ...replicationKeysOf(stream)]);
    for (const property of Object.keys((stream.schema["properties"] ?? {}) as object)) {
      const entry = stream.metadata.find((item) => item.breadcrumb.length === 2 && item.breadcrumb[1] === property);
      if (!automatic.has(property) && entry?.metadata.inclusion !== "automatic" && entry?.metadata.inclusion !== "unsupported")
        return { stream: stream.tap_stream_id, property };
    }
  }
  return undefined;
}
