import type { Breadcrumb, CatalogStream, MetadataValues } from "./catalog.js";

function sameBreadcrumb(left: Breadcrumb, right: Breadcrumb): boolean {
  return left.length === right.length && left.every((part, index) => part === right[index]);
}

/** The metadata at one breadcrumb of a stream, or an empty object. */
export function metadataAt(stream: CatalogStream, breadcrumb: Breadcrumb): MetadataValues {
  return stream.metadata.find((entry) => sameBreadcrumb(entry.breadcrumb, breadcrumb))?.metadata ?? {};
}

/** The stream-level metadata (breadcrumb []). */
export function streamMetadata(stream: CatalogStream): MetadataValues {
  return metadataAt(stream, []);
}

/** The breadcrumb of a (possibly nested) property, e.g. ["properties", "a", "properties", "b"]. */
export function propertyBreadcrumb(path: readonly string[]): Breadcrumb {
  return path.flatMap((name) => ["properties", name]);
}
