import { isStreamSelected, projectSchema, selectedProjection, streamMetadata, type Catalog, type Projection } from "../../../catalogs/index.js";
import { ConfigError } from "../../errors.js";
import type { JsonSchema } from "../../messages/types.js";
import type { TapStream } from "./types.js";

/** One stream to sync: its definition, the schema to announce and the properties to keep. */
export interface PlannedStream<Config> {
  readonly stream: TapStream<Config>;
  readonly schema: JsonSchema;
  readonly projection: Projection | undefined;
  /** The catalog asks for FULL_TABLE: the stream starts from the beginning whatever the bookmark. */
  readonly fullTable: boolean;
}

/**
 * Which streams to sync, in which order, with which properties. Without a
 * catalog: every stream, whole. With one: the selected streams in catalog
 * order, projected by property selection, and read from the start when
 * their `replication-method` is FULL_TABLE.
 */
export function planStreams<Config>(streams: readonly TapStream<Config>[], catalog: Catalog | undefined, catalogFile: string | undefined, connector: string): PlannedStream<Config>[] {
  if (catalog === undefined) return streams.map((stream) => ({ stream, schema: stream.schema, projection: undefined, fullTable: false }));
  const byName = new Map(streams.map((stream) => [stream.name, stream]));
  const planned: PlannedStream<Config>[] = [];
  for (const entry of catalog.streams) {
    // Deselected streams are not built at all (see StreamRequest): nothing to check or plan.
    if (!isStreamSelected(entry)) continue;
    const stream = byName.get(entry.tap_stream_id);
    if (stream === undefined) {
      throw new ConfigError("CATALOG_UNKNOWN_STREAM", `the catalog names stream "${entry.tap_stream_id}", which this config does not offer`, {
        where: { connector, stream: entry.tap_stream_id, ...(catalogFile === undefined ? {} : { file: catalogFile }) },
        hint: `Run \`${connector} --config ... --discover\` again and select from its output.`,
      });
    }
    const projection = selectedProjection(entry);
    // The user's choice is metadata's replication-method (forced-replication-method and the legacy field describe the tap).
    planned.push({ stream, schema: projectSchema(entry.schema, projection), projection, fullTable: streamMetadata(entry)["replication-method"] === "FULL_TABLE" });
  }
  return planned;
}
