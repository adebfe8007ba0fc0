import type { Catalog, CatalogStream, JsonSchemaObject, MetadataEntry, MetadataValues } from "./catalog.js";
import { compileGlob, GlobError, type Glob } from "./glob.js";
import { propertyBreadcrumb } from "./metadata.js";
import { nearestNames, suggestNames } from "./nearest-names.js";

/**
 * What a pipeline changes in a discovered catalog, as Meltano's `metadata`
 * and `schema` extras do. Stream names may be globs. Under `metadata`, a
 * stream's plain values are stream-level metadata (`replication-method`,
 * `replication-key`, ...) and a table is one property's metadata. Under
 * `schema`, each property (dots for nested ones) gets the given keys of its
 * JSON Schema replaced.
 */
export interface CatalogOverrides {
  readonly metadata?: Readonly<Record<string, Readonly<Record<string, unknown>>>> | undefined;
  readonly schema?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>> | undefined;
}

/** An override that names something the catalog does not have, or sets a value it cannot take. */
export interface OverrideProblem {
  /** Where in the settings, e.g. ["metadata", "orders", "replication-key"]. */
  readonly path: readonly string[];
  readonly message: string;
}

const REPLICATION_METHODS = ["FULL_TABLE", "INCREMENTAL", "LOG_BASED"];
const STANDARD_KEYS = [
  "selected",
  "replication-method",
  "replication-key",
  "table-key-properties",
  "inclusion",
  "selected-by-default",
  "forced-replication-method",
  "valid-replication-keys",
];

const isTable = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const quoted = (names: readonly string[]): string => names.map((name) => JSON.stringify(name)).join(", ");

/** The top-level property names of a stream's schema. */
function propertyNames(schema: unknown): string[] {
  const properties = isTable(schema) ? schema["properties"] : undefined;
  return isTable(properties) ? Object.keys(properties) : [];
}

/** Every property of a schema as dotted paths, parents first. */
function propertyPaths(schema: unknown, prefix = ""): string[] {
  const properties = isTable(schema) ? schema["properties"] : undefined;
  if (!isTable(properties)) return [];
  return Object.entries(properties).flatMap(([name, child]) => [`${prefix}${name}`, ...propertyPaths(child, `${prefix}${name}.`)]);
}

/** A key compiled as a glob, or the problem that it is not one. */
function globOrProblem(pattern: string, path: readonly string[]): Glob | OverrideProblem {
  try {
    return compileGlob(pattern);
  } catch (error) {
    if (!(error instanceof GlobError)) throw error;
    return { path, message: `${path.join(".")}: ${error.message}` };
  }
}

/** The streams a key (a name or a glob) picks, or a problem naming the streams there are. */
function matchStreams(catalog: Catalog, pattern: string, path: readonly string[]): CatalogStream[] | OverrideProblem {
  const regex = globOrProblem(pattern, path);
  if (!("test" in regex)) return regex;
  const matched = catalog.streams.filter((stream) => regex.test(stream.tap_stream_id));
  if (matched.length > 0) return matched;
  const names = catalog.streams.map((stream) => stream.tap_stream_id);
  return {
    path,
    message: `${path[0] ?? ""} names stream ${JSON.stringify(pattern)}, which the catalog does not have; ${suggestNames(pattern, names, "streams")}`,
  };
}

/** Replaces the keys `changes` gives in the schema of property `path` (dotted); false if there is no such property. */
function withPropertySchema(schema: JsonSchemaObject, parts: readonly string[], changes: Readonly<Record<string, unknown>>): JsonSchemaObject | undefined {
  const [name, ...rest] = parts;
  const properties = schema["properties"];
  if (name === undefined || !isTable(properties) || !Object.hasOwn(properties, name)) return undefined;
  const current = properties[name];
  const replaced =
    rest.length === 0 ? { ...(isTable(current) ? current : {}), ...changes } : withPropertySchema(isTable(current) ? current : {}, rest, changes);
  if (replaced === undefined) return undefined;
  const nextProperties: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(properties)) nextProperties[key] = key === name ? replaced : value;
  return { ...schema, properties: nextProperties };
}

function applySchema(
  stream: CatalogStream,
  overrides: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
  path: readonly string[],
  problems: OverrideProblem[],
): CatalogStream {
  let schema = stream.schema;
  for (const [property, changes] of Object.entries(overrides)) {
    const next = withPropertySchema(schema, property.split("."), changes);
    if (next === undefined) {
      const at = [...path, property];
      problems.push({
        path: at,
        message: `${at.join(".")}: stream ${JSON.stringify(stream.tap_stream_id)} has no property ${JSON.stringify(property)}; ${suggestNames(property, propertyPaths(schema), "properties")}`,
      });
      continue;
    }
    schema = next;
  }
  return { ...stream, schema };
}

/** Sets `values` on the metadata entry at `breadcrumb` (adding one if there is none). */
function withMetadata(entries: readonly MetadataEntry[], breadcrumb: readonly string[], values: MetadataValues): MetadataEntry[] {
  const same = (entry: MetadataEntry): boolean =>
    entry.breadcrumb.length === breadcrumb.length && entry.breadcrumb.every((part, index) => part === breadcrumb[index]);
  const found = entries.some(same);
  const updated = entries.map((entry) => (same(entry) ? { breadcrumb: entry.breadcrumb, metadata: { ...entry.metadata, ...values } } : entry));
  return found ? updated : [...updated, { breadcrumb, metadata: values }];
}

/** Problems with a stream-level metadata value; the standard keys are checked against the stream. */
function checkStreamValue(stream: CatalogStream, key: string, value: unknown, at: readonly string[]): string | undefined {
  const where = at.join(".");
  const names = propertyNames(stream.schema);
  if (key === "replication-method" && !REPLICATION_METHODS.includes(String(value)))
    return `${where} is ${JSON.stringify(value)}; it must be one of ${quoted(REPLICATION_METHODS)}`;
  if (key === "replication-key") {
    if (typeof value !== "string") return `${where} must be a property name`;
    if (!names.includes(value))
      return `${where}: stream ${JSON.stringify(stream.tap_stream_id)} has no property ${JSON.stringify(value)}; ${suggestNames(value, names, "properties")}`;
  }
  if (key === "table-key-properties") {
    if (!Array.isArray(value) || !value.every((item) => typeof item === "string")) return `${where} must be a list of property names`;
    const missing = (value as string[]).find((item) => !names.includes(item));
    if (missing !== undefined)
      return `${where}: stream ${JSON.stringify(stream.tap_stream_id)} has no property ${JSON.stringify(missing)}; ${suggestNames(missing, names, "properties")}`;
  }
  if (!STANDARD_KEYS.includes(key)) {
    const near = nearestNames(key, STANDARD_KEYS, 1);
    if (near.length > 0) return `${where}: unknown metadata key ${JSON.stringify(key)}; did you mean ${JSON.stringify(near[0])}?`;
  }
  return undefined;
}

function applyMetadata(
  stream: CatalogStream,
  overrides: Readonly<Record<string, unknown>>,
  path: readonly string[],
  problems: OverrideProblem[],
): CatalogStream {
  let metadata: MetadataEntry[] = [...stream.metadata];
  const streamValues: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    const at = [...path, key];
    if (isTable(value)) {
      // A table: metadata of the properties the key (a name or glob, dots for nesting) matches.
      const regex = globOrProblem(key, at);
      if (!("test" in regex)) {
        problems.push(regex);
        continue;
      }
      const paths = propertyPaths(stream.schema).filter((dotted) => regex.test(dotted));
      if (paths.length === 0) {
        problems.push({
          path: at,
          message: `${at.join(".")}: stream ${JSON.stringify(stream.tap_stream_id)} has no property ${JSON.stringify(key)}; ${suggestNames(key, propertyPaths(stream.schema), "properties")}`,
        });
        continue;
      }
      for (const dotted of paths) metadata = withMetadata(metadata, propertyBreadcrumb(dotted.split(".")), value as MetadataValues);
      continue;
    }
    const problem = checkStreamValue(stream, key, value, at);
    if (problem !== undefined) problems.push({ path: at, message: problem });
    else streamValues[key] = value;
  }
  if (Object.keys(streamValues).length === 0) return { ...stream, metadata };
  // Legacy taps read the top-level fields; Singer's metadata is the newer home. Both say the same.
  const legacy: Partial<Record<"replication_method" | "replication_key" | "key_properties", unknown>> = {};
  if (streamValues["replication-method"] !== undefined) legacy.replication_method = streamValues["replication-method"];
  if (streamValues["replication-key"] !== undefined) legacy.replication_key = streamValues["replication-key"];
  if (streamValues["table-key-properties"] !== undefined) legacy.key_properties = streamValues["table-key-properties"];
  return { ...stream, ...legacy, metadata: withMetadata(metadata, [], streamValues as MetadataValues) } as CatalogStream;
}

/**
 * Applies a pipeline's schema and metadata overrides to a discovered
 * catalog (schema first, so metadata may name what it changed). Returns the
 * new catalog and every problem found; the caller decides that problems are
 * errors, and says where they are in its own file.
 */
export function applyCatalogOverrides(catalog: Catalog, overrides: CatalogOverrides): { catalog: Catalog; problems: OverrideProblem[] } {
  const problems: OverrideProblem[] = [];
  let streams = [...catalog.streams];
  for (const [section, apply] of [
    [
      "schema",
      (stream: CatalogStream, value: Readonly<Record<string, unknown>>, path: readonly string[], own: OverrideProblem[]) =>
        applySchema(stream, value as Readonly<Record<string, Readonly<Record<string, unknown>>>>, path, own),
    ],
    [
      "metadata",
      (stream: CatalogStream, value: Readonly<Record<string, unknown>>, path: readonly string[], own: OverrideProblem[]) =>
        applyMetadata(stream, value, path, own),
    ],
  ] as const) {
    const entries = overrides[section];
    if (entries === undefined) continue;
    for (const [pattern, value] of Object.entries(entries)) {
      const path = [section, pattern];
      const matched = matchStreams({ streams }, pattern, path);
      if (!Array.isArray(matched)) {
        problems.push(matched);
        continue;
      }
      const chosen = new Set(matched);
      // Under a glob, a property only some of the matched streams have is fine: a problem counts when every stream has it.
      const found = new Map<string, { problem: OverrideProblem; streams: number }>();
      streams = streams.map((stream) => {
        if (!chosen.has(stream)) return stream;
        const own: OverrideProblem[] = [];
        const next = apply(stream, value, path, own);
        for (const problem of own) {
          const key = problem.path.join("\u0000");
          found.set(key, { problem: found.get(key)?.problem ?? problem, streams: (found.get(key)?.streams ?? 0) + 1 });
        }
        return next;
      });
      for (const { problem, streams: count } of found.values()) if (count === matched.length) problems.push(problem);
    }
  }
  return { catalog: { streams }, problems };
}
