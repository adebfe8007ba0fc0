import {
  isStreamSelected,
  metadataAt,
  schemaProperties,
  projectSchema,
  propertyBreadcrumb,
  selectedProjection,
  streamMetadata,
  type Catalog,
  type CatalogStream,
  type Projection,
} from "../../../catalogs/index.js";
import { ConfigError } from "../../errors.js";
import type { JsonSchema } from "../../messages/types.js";
import type { TapStream } from "./types.js";
import { ProtocolCodes } from "../../messages/codes.js";

/** One stream to sync: its definition, the schema to announce and the properties to keep. */
export interface PlannedStream<Config> {
  readonly stream: TapStream<Config>;
  readonly schema: JsonSchema;
  readonly projection: Projection | undefined;
  /** The catalog asks for FULL_TABLE: the stream starts from the beginning whatever the bookmark. */
  readonly fullTable: boolean;
  /** Top-level properties the source has now and the catalog does not name at all (added since it was discovered): announced and sent. */
  readonly newProperties: readonly string[];
}

/**
 * The schema a tap announces when the source has properties its catalog
 * does not name: the catalog's, plus those properties as the tap sees them
 * now. A tap builds a known-schema stream with this when it can tell at
 * little cost (a CSV header, a sample of lines) that the source changed.
 */
export function withNewProperties(known: JsonSchema, current: JsonSchema): JsonSchema {
  const knownProperties = schemaProperties(known);
  const added = Object.entries(schemaProperties(current)).filter(([name]) => !Object.hasOwn(knownProperties, name));
  if (added.length === 0) return known;
  return { ...known, properties: Object.assign(Object.create(null) as Record<string, JsonSchema>, knownProperties, Object.fromEntries(added)) };
}

/** The properties the stream has and its catalog entry does not mention (in its schema or its metadata). */
function propertiesNewTo(entry: CatalogStream, stream: TapStream<unknown>): string[] {
  const known = schemaProperties(entry.schema);
  return Object.keys(schemaProperties(stream.schema)).filter(
    (name) => !Object.hasOwn(known, name) && metadataAt(entry, propertyBreadcrumb([name])).selected === undefined,
  );
}

/**
 * Which streams to sync, in which order, with which properties. Without a
 * catalog: every stream, whole. With one: the selected streams in catalog
 * order, projected by property selection, and read from the start when
 * their `replication-method` is FULL_TABLE. Properties the source gained
 * since the catalog was made are sent too, so the runner (or a target) can
 * tell and decide: a catalog says what was chosen, not what may exist.
 */
export function planStreams<Config>(
  streams: readonly TapStream<Config>[],
  catalog: Catalog | undefined,
  catalogFile: string | undefined,
  connector: string,
): PlannedStream<Config>[] {
  if (catalog === undefined) return streams.map((stream) => ({ stream, schema: stream.schema, projection: undefined, fullTable: false, newProperties: [] }));
  const byName = new Map(streams.map((stream) => [stream.name, stream]));
  const planned: PlannedStream<Config>[] = [];
  for (const entry of catalog.streams) {
    // Deselected streams are not built at all (see StreamRequest): nothing to check or plan.
    if (!isStreamSelected(entry)) continue;
    const stream = byName.get(entry.tap_stream_id);
    if (stream === undefined) {
      throw new ConfigError(ProtocolCodes.CATALOG_UNKNOWN_STREAM, `the catalog names stream "${entry.tap_stream_id}", which this config does not offer`, {
        where: { connector, stream: entry.tap_stream_id, ...(catalogFile === undefined ? {} : { file: catalogFile }) },
        hint: `Run \`${connector} --config ... --discover\` again and select from its output.`,
      });
    }
    const newProperties = propertiesNewTo(entry, stream);
    let projection = selectedProjection(entry);
    let schema = projectSchema(entry.schema, projection);
    if (newProperties.length > 0) {
      const current = schemaProperties(stream.schema);
      schema = {
        ...schema,
        properties: Object.assign(
          Object.create(null) as Record<string, JsonSchema>,
          schemaProperties(schema),
          Object.fromEntries(newProperties.map((name) => [name, current[name] as JsonSchema])),
        ),
      };
      if (projection !== undefined)
        projection = Object.assign(
          Object.create(null) as Record<string, true | Projection>,
          projection,
          Object.fromEntries(newProperties.map((name) => [name, true as const])),
        );
    }
    // The user's choice is metadata's replication-method (forced-replication-method and the legacy field describe the tap).
    planned.push({ stream, schema, projection, fullTable: streamMetadata(entry)["replication-method"] === "FULL_TABLE", newProperties });
  }
  return planned;
}
