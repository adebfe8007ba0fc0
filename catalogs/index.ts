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
export { catalogChanges } from "./catalog-changes.js";
export { findCatalogProblems, normalizeCatalog } from "./check-catalog.js";
export { metadataAt, propertyBreadcrumb, streamMetadata } from "./metadata.js";
export { describeSelection, isStreamSelected, projectRecord, projectSchema, schemaProperties, selectedProjection, type Projection } from "./selection.js";
export { applyCatalogOverrides, type CatalogOverrides, type OverrideProblem } from "./catalog-overrides.js";
export { compileGlob, GlobError, isGlob, type Glob } from "./glob.js";
export { nearestNames, suggestNames } from "./nearest-names.js";
export { applySelectRules, parseSelectRules, type SelectDecision, type SelectOutcome, type SelectRule, type StreamSelectReport } from "./select-patterns.js";
export { SchemaInferrer, type InferenceOptions } from "./inference/schema-inferrer.js";
export { jsonKind, textKind, type ValueKind } from "./inference/value-kinds.js";
export { textConverter, TextConversionError, type TextConverter } from "./inference/convert-text.js";
export { schemaTypes, valueTypes } from "./schema-types.js";
