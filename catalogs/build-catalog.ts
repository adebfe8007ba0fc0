import type { CatalogStream, JsonSchemaObject, MetadataEntry, ReplicationMethod } from "./catalog.js";

/** What a tap knows about one stream, enough to describe it in a catalog. */
export interface StreamDescription {
  readonly tapStreamId: string;
  readonly schema: JsonSchemaObject;
  readonly keyProperties?: readonly string[];
  readonly replicationKey?: string;
  readonly replicationMethod?: ReplicationMethod;
  /** Default true: a stream the user has not deselected is synced. */
  readonly selectedByDefault?: boolean;
}

/**
 * A catalog entry with the standard metadata: the stream's own entry
 * (keys, replication method and key, selected-by-default) and one per
 * top-level property, `automatic` for keys and the replication key,
 * `available` otherwise.
 */
export function describeStream(description: StreamDescription): CatalogStream {
  const keys = description.keyProperties ?? [];
  const replicationMethod = description.replicationMethod ?? (description.replicationKey === undefined ? "FULL_TABLE" : "INCREMENTAL");
  const automatic = new Set([...keys, ...(description.replicationKey === undefined ? [] : [description.replicationKey])]);
  const properties = (description.schema["properties"] ?? {}) as Record<string, unknown>;
  const metadata: MetadataEntry[] = [
    {
      breadcrumb: [],
      metadata: {
        inclusion: "available",
        "selected-by-default": description.selectedByDefault ?? true,
        "table-key-properties": keys,
        // A stream that cannot resume can only be read whole; one that can may also be (replication-method = FULL_TABLE).
        ...(replicationMethod === "FULL_TABLE" ? { "forced-replication-method": replicationMethod } : {}),
        ...(description.replicationKey === undefined ? {} : { "valid-replication-keys": [description.replicationKey] }),
      },
    },
    ...Object.keys(properties).map((name) => ({
      breadcrumb: ["properties", name],
      metadata: automatic.has(name) ? { inclusion: "automatic" as const } : { inclusion: "available" as const, "selected-by-default": true },
    })),
  ];
  return {
    tap_stream_id: description.tapStreamId,
    stream: description.tapStreamId,
    schema: description.schema,
    key_properties: keys,
    replication_method: replicationMethod,
    ...(description.replicationKey === undefined ? {} : { replication_key: description.replicationKey }),
    metadata,
  };
}
