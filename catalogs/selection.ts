import type { CatalogStream, JsonSchemaObject } from "./catalog.js";
import { metadataAt, propertyBreadcrumb, streamMetadata } from "./metadata.js";

/**
 * Selection rules, as Singer and the Meltano SDK apply them:
 * - a stream is selected by its metadata `selected`, else the legacy
 *   `selected` flag, else `selected-by-default`, else not;
 * - a property with `inclusion: automatic` is always emitted (keys,
 *   replication keys), one with `unsupported` never is; otherwise its own
 *   `selected`, else `selected-by-default`, else it follows its parent.
 */
export function isStreamSelected(stream: CatalogStream): boolean {
  const metadata = streamMetadata(stream);
  return metadata.selected ?? stream.selected ?? metadata["selected-by-default"] ?? false;
}

function isPropertySelected(stream: CatalogStream, path: readonly string[], parentSelected: boolean): boolean {
  const metadata = metadataAt(stream, propertyBreadcrumb(path));
  if (metadata.inclusion === "automatic") return true;
  if (metadata.inclusion === "unsupported") return false;
  return metadata.selected ?? metadata["selected-by-default"] ?? parentSelected;
}

/**
 * Which properties of a stream are emitted, as a tree: `true` for a whole
 * value, a nested Projection for an object some of whose properties are
 * deselected. `undefined` means everything is selected (the fast path).
 */
export type Projection = { readonly [property: string]: true | Projection };

/** An object keyed by data (property names such as `__proto__` or `constructor` are data too). */
function dataRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A schema's top-level `properties`, or an empty table when it has none. */
export function schemaProperties(schema: unknown): Record<string, JsonSchemaObject> {
  return objectProperties(schema) ?? {};
}

function objectProperties(schema: unknown): Record<string, JsonSchemaObject> | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  const properties = (schema as JsonSchemaObject)["properties"];
  if (typeof properties !== "object" || properties === null) return undefined;
  return properties as Record<string, JsonSchemaObject>;
}

function buildProjection(stream: CatalogStream, schema: unknown, path: readonly string[]): Projection | true {
  const properties = objectProperties(schema);
  if (properties === undefined) return true;
  const projection = dataRecord<true | Projection>();
  let everything = true;
  for (const [name, propertySchema] of Object.entries(properties)) {
    const childPath = [...path, name];
    if (!isPropertySelected(stream, childPath, true)) {
      everything = false;
      continue;
    }
    const child = buildProjection(stream, propertySchema, childPath);
    if (child !== true) everything = false;
    projection[name] = child;
  }
  return everything ? true : projection;
}

/** Key properties and the replication key: emitted whatever the metadata says. */
function alwaysEmitted(stream: CatalogStream): string[] {
  const metadata = streamMetadata(stream);
  return [
    ...(stream.key_properties ?? []),
    ...(metadata["table-key-properties"] ?? []),
    ...(stream.replication_key === undefined ? [] : [stream.replication_key]),
    ...(metadata["replication-key"] === undefined ? [] : [metadata["replication-key"]]),
  ];
}

/** The projection for a stream, or undefined when every property is selected. */
export function selectedProjection(stream: CatalogStream): Projection | undefined {
  const projection = buildProjection(stream, stream.schema, []);
  if (projection === true) return undefined;
  const properties = objectProperties(stream.schema) ?? {};
  const keys = new Set(alwaysEmitted(stream));
  const withKeys = dataRecord<true | Projection>();
  // In schema order: keys whole, the rest as selected.
  for (const name of Object.keys(properties)) {
    if (keys.has(name)) withKeys[name] = true;
    else if (Object.hasOwn(projection, name)) withKeys[name] = projection[name] as true | Projection;
  }
  return withKeys;
}

/** A record with only the projected properties. Properties the schema does not know are dropped too. */
export function projectRecord(record: { [key: string]: unknown }, projection: Projection | undefined): { [key: string]: unknown } {
  if (projection === undefined) return record;
  const projected = dataRecord<unknown>();
  for (const name of Object.keys(projection)) {
    if (!Object.hasOwn(record, name)) continue;
    const rule = projection[name];
    const value = record[name];
    projected[name] =
      rule === true || typeof value !== "object" || value === null || Array.isArray(value) ? value : projectRecord(value as { [key: string]: unknown }, rule);
  }
  return projected;
}

/** A schema with only the projected properties (and `required` trimmed to match). */
export function projectSchema(schema: JsonSchemaObject, projection: Projection | undefined): JsonSchemaObject {
  if (projection === undefined) return schema;
  const properties = objectProperties(schema) ?? {};
  const kept = dataRecord<unknown>();
  for (const [name, rule] of Object.entries(projection)) {
    const propertySchema = properties[name];
    if (propertySchema === undefined) continue;
    kept[name] = rule === true ? propertySchema : projectSchema(propertySchema, rule);
  }
  const projected: JsonSchemaObject = { ...schema, properties: kept };
  if (Array.isArray(schema["required"])) {
    projected["required"] = (schema["required"] as string[]).filter((name) => Object.hasOwn(kept, name));
  }
  return projected;
}

/**
 * The selection a catalog already carries (a user's catalog file), in the
 * report form select patterns give, each decision attributed to `by`.
 */
export function describeSelection(
  streams: readonly CatalogStream[],
  by: string,
): Array<{ stream: string; decision: { selected: boolean; by: string }; properties: Map<string, { selected: boolean; by: string; automatic: boolean }> }> {
  return streams.map((stream) => {
    const properties = new Map<string, { selected: boolean; by: string; automatic: boolean }>();
    const walk = (schema: unknown, path: readonly string[], parentSelected: boolean): void => {
      for (const [name, child] of Object.entries(objectProperties(schema) ?? {})) {
        const childPath = [...path, name];
        const automatic = metadataAt(stream, propertyBreadcrumb(childPath)).inclusion === "automatic";
        const selected = parentSelected && isPropertySelected(stream, childPath, parentSelected);
        properties.set(childPath.join("."), { selected, by: automatic ? "the tap (inclusion: automatic)" : by, automatic });
        walk(child, childPath, selected);
      }
    };
    walk(stream.schema, [], true);
    return { stream: stream.tap_stream_id, decision: { selected: isStreamSelected(stream), by }, properties };
  });
}
