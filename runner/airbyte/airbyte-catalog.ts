import {
  isStreamSelected,
  projectSchema,
  selectedProjection,
  streamMetadata,
  type Catalog,
  type CatalogStream,
  type JsonSchemaObject,
  type MetadataEntry,
  type Projection,
} from "../../catalogs/index.js";
import { describeDescriptor, descriptorKey, isObject, type StreamDescriptor } from "./airbyte-message.js";

/**
 * Airbyte catalogs and Singer's: a source's CATALOG becomes the Singer
 * catalog the runner selects from (so select, metadata and schema overrides
 * work as for a Singer tap), and the selection becomes the configured
 * catalog `read` takes. What Singer cannot say (a namespace, a composite or
 * nested key, a cursor path, the sync modes) is kept whole in each stream's
 * metadata under `airbyte-stream`, and handed back as it was.
 */

/** A stream as the source described it (AirbyteStream), the members Agora hands back. */
export interface AirbyteStream {
  readonly name: string;
  readonly namespace?: string | undefined;
  readonly json_schema: JsonSchemaObject;
  readonly supported_sync_modes: readonly string[];
  readonly source_defined_cursor?: boolean;
  readonly default_cursor_field?: readonly string[];
  readonly source_defined_primary_key?: ReadonlyArray<readonly string[]>;
  readonly is_resumable?: boolean;
}

/** One stream of a configured catalog (ConfiguredAirbyteStream). */
export interface ConfiguredStream {
  readonly stream: AirbyteStream;
  readonly sync_mode: "full_refresh" | "incremental";
  readonly cursor_field?: readonly string[];
  readonly destination_sync_mode: "append" | "append_dedup" | "overwrite";
  readonly primary_key?: ReadonlyArray<readonly string[]>;
}

/** The metadata key that keeps the Airbyte stream whole in a Singer catalog. */
export const AIRBYTE_STREAM_KEY = "airbyte-stream";
/** Metadata a pipeline may set to choose a cursor path (`["updated", "at"]`) where Singer's replication-key names one top-level property. */
export const AIRBYTE_CURSOR_KEY = "airbyte-cursor-field";

/** The Singer stream id of a descriptor: the name, or `namespace-name` (as Singer database taps name schema and table). */
export function singerStreamId(descriptor: StreamDescriptor): string {
  return descriptor.namespace === undefined || descriptor.namespace === "" ? descriptor.name : `${descriptor.namespace}-${descriptor.name}`;
}

/** What is wrong with a CATALOG message's catalog, or undefined. */
export function airbyteCatalogProblem(catalog: unknown): string | undefined {
  if (!isObject(catalog) || !Array.isArray(catalog["streams"])) return "the CATALOG has no streams array";
  const ids = new Map<string, string>();
  for (const [index, stream] of catalog["streams"].entries()) {
    if (!isObject(stream) || typeof stream["name"] !== "string" || stream["name"] === "") return `stream ${index} has no name`;
    const descriptor = { name: stream["name"], ...(typeof stream["namespace"] === "string" ? { namespace: stream["namespace"] } : {}) };
    if (!isObject(stream["json_schema"])) return `stream ${describeDescriptor(descriptor)} has no json_schema object`;
    if (!Array.isArray(stream["supported_sync_modes"]) || stream["supported_sync_modes"].length === 0)
      return `stream ${describeDescriptor(descriptor)} lists no supported_sync_modes`;
    const id = singerStreamId(descriptor);
    const other = ids.get(id);
    if (other !== undefined && other !== descriptorKey(descriptor))
      return `streams ${describeDescriptor(descriptor)} and another both become "${id}" in Singer`;
    ids.set(id, descriptorKey(descriptor));
  }
  return undefined;
}

/** The Singer catalog of an Airbyte source's CATALOG (checked by airbyteCatalogProblem first). */
export function singerCatalogOf(catalog: { readonly streams: readonly AirbyteStream[] }): Catalog {
  return { streams: catalog.streams.map(singerStreamOf) };
}

function singerStreamOf(stream: AirbyteStream): CatalogStream {
  const keys = flatPaths(stream.source_defined_primary_key ?? []);
  const cursor = stream.default_cursor_field ?? [];
  const incremental = stream.supported_sync_modes.includes("incremental");
  const properties = isObject(stream.json_schema["properties"]) ? Object.keys(stream.json_schema["properties"]) : [];
  const keyNames = new Set((stream.source_defined_primary_key ?? []).map((path) => path[0]));
  const metadata: MetadataEntry[] = [
    {
      breadcrumb: [],
      metadata: {
        inclusion: "available",
        "selected-by-default": true,
        "table-key-properties": keys ?? [],
        ...(incremental ? {} : { "forced-replication-method": "FULL_TABLE" as const }),
        "replication-method": incremental ? "INCREMENTAL" : "FULL_TABLE",
        ...(incremental && cursor.length === 1 ? { "valid-replication-keys": [cursor[0] as string] } : {}),
        [AIRBYTE_STREAM_KEY]: airbyteStreamOf(stream),
      },
    },
    ...properties.map((name) => ({
      breadcrumb: ["properties", name],
      metadata: { inclusion: keyNames.has(name) || (cursor[0] === name && stream.source_defined_cursor === true) ? "automatic" : "available" } as const,
    })),
  ];
  return {
    tap_stream_id: singerStreamId(stream),
    stream: stream.name,
    schema: stream.json_schema,
    key_properties: keys ?? [],
    metadata: metadata.map((entry) => ({ breadcrumb: entry.breadcrumb, metadata: withoutUndefined(entry.metadata) })),
  };
}

/** The members of an Airbyte stream Agora keeps and hands back. */
function airbyteStreamOf(stream: AirbyteStream): AirbyteStream {
  return withoutUndefined({
    name: stream.name,
    namespace: stream.namespace,
    json_schema: stream.json_schema,
    supported_sync_modes: stream.supported_sync_modes,
    source_defined_cursor: stream.source_defined_cursor,
    default_cursor_field: stream.default_cursor_field,
    source_defined_primary_key: stream.source_defined_primary_key,
    is_resumable: stream.is_resumable,
  }) as unknown as AirbyteStream;
}

/** Paths of one property each as their names; undefined when one is nested (Singer's keys cannot name it). */
export function flatPaths(paths: ReadonlyArray<readonly string[]>): string[] | undefined {
  if (paths.some((path) => path.length !== 1)) return undefined;
  return paths.map((path) => path[0] as string);
}

/** A selected stream of the run: how the source's records are read and named. */
export interface SourceStream {
  readonly id: string;
  readonly descriptor: StreamDescriptor;
  readonly configured: ConfiguredStream;
  /** The properties kept (undefined: all): the source's records are cut to them, as Airbyte's platform does. */
  readonly projection: Projection | undefined;
  /** The SCHEMA the runner's data path is told, once, before the stream's first record. */
  readonly schema: JsonSchemaObject;
  readonly keyProperties: readonly string[];
  readonly bookmarkProperties: readonly string[];
  /** The key has a nested path: Singer targets are given none (said once when the run starts). */
  readonly nestedKey: boolean;
}

/**
 * The configured catalog for `read` from the run's Singer catalog (after
 * select, metadata and schema overrides): each selected stream, incremental
 * where the source supports it and the pipeline did not ask for
 * FULL_TABLE, with its cursor (a pipeline's replication-key or
 * airbyte-cursor-field, else the source's default) and key whole.
 */
export function configuredStreamsOf(catalog: Catalog): SourceStream[] {
  const streams: SourceStream[] = [];
  for (const stream of catalog.streams) {
    if (!isStreamSelected(stream)) continue;
    const metadata = streamMetadata(stream);
    const original = metadata[AIRBYTE_STREAM_KEY];
    if (!isObject(original)) continue;
    const source = original as unknown as AirbyteStream;
    const projection = selectedProjection(stream);
    const schema = projectSchema(stream.schema, projection);
    const cursor = cursorOf(metadata, source);
    const incremental = source.supported_sync_modes.includes("incremental") && metadata["replication-method"] !== "FULL_TABLE" && cursor !== undefined;
    const primaryKey = source.source_defined_primary_key ?? [];
    const flat = flatPaths(primaryKey);
    const descriptor = { name: source.name, ...(source.namespace === undefined ? {} : { namespace: source.namespace }) };
    streams.push({
      id: stream.tap_stream_id,
      descriptor,
      configured: {
        stream: { ...source, json_schema: schema },
        sync_mode: incremental ? "incremental" : "full_refresh",
        ...(incremental ? { cursor_field: cursor } : {}),
        destination_sync_mode: "append",
        ...(primaryKey.length > 0 ? { primary_key: primaryKey } : {}),
      },
      projection,
      schema,
      keyProperties: flat ?? [],
      bookmarkProperties: incremental && cursor?.length === 1 ? [cursor[0] as string] : [],
      nestedKey: flat === undefined,
    });
  }
  return streams;
}

function cursorOf(metadata: Readonly<Record<string, unknown>>, source: AirbyteStream): readonly string[] | undefined {
  const path = metadata[AIRBYTE_CURSOR_KEY];
  if (Array.isArray(path) && path.length > 0 && path.every((part) => typeof part === "string")) return path as string[];
  const key = metadata["replication-key"];
  if (typeof key === "string" && key !== "") return [key];
  if (source.default_cursor_field !== undefined && source.default_cursor_field.length > 0) return source.default_cursor_field;
  // A source-defined cursor needs none from us; the protocol still wants the field, which the source ignores.
  return source.source_defined_cursor === true ? [] : undefined;
}

/** The configured catalog `read --catalog` takes. */
export function configuredCatalogOf(streams: readonly SourceStream[]): { streams: ConfiguredStream[] } {
  return { streams: streams.map((stream) => stream.configured) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;
}
