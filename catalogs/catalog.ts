/** The Singer catalog model. */

export type JsonSchemaObject = { [key: string]: unknown };

/** A path into a stream's schema: [] for the stream, ["properties", "id"] for a field. */
export type Breadcrumb = readonly string[];

export type Inclusion = "automatic" | "available" | "unsupported";
export type ReplicationMethod = "FULL_TABLE" | "INCREMENTAL" | "LOG_BASED";

export interface MetadataValues {
  readonly selected?: boolean;
  readonly "selected-by-default"?: boolean;
  readonly inclusion?: Inclusion;
  readonly "replication-method"?: ReplicationMethod;
  readonly "replication-key"?: string;
  readonly "forced-replication-method"?: ReplicationMethod;
  readonly "valid-replication-keys"?: readonly string[];
  readonly "table-key-properties"?: readonly string[];
  readonly [key: string]: unknown;
}

export interface MetadataEntry {
  readonly breadcrumb: Breadcrumb;
  readonly metadata: MetadataValues;
}

export interface CatalogStream {
  readonly tap_stream_id: string;
  readonly stream: string;
  readonly schema: JsonSchemaObject;
  readonly key_properties?: readonly string[];
  readonly replication_key?: string;
  readonly replication_method?: ReplicationMethod;
  readonly metadata: readonly MetadataEntry[];
  /** Legacy selection flag, honoured when metadata says nothing. */
  readonly selected?: boolean;
}

export interface Catalog {
  readonly streams: readonly CatalogStream[];
}
