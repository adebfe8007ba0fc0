export type {
  Breadcrumb,
  Catalog,
  CatalogStream,
  Inclusion,
  JsonSchemaObject,
  MetadataEntry,
  MetadataValues,
  ReplicationMethod,
} from "./catalog.js";
export { describeStream, type StreamDescription } from "./build-catalog.js";
export { findCatalogProblems, normalizeCatalog } from "./check-catalog.js";
export { metadataAt, propertyBreadcrumb, streamMetadata } from "./metadata.js";
export { isStreamSelected, projectRecord, projectSchema, selectedProjection, type Projection } from "./selection.js";
