import type { Catalog, JsonSchemaObject } from "./catalog.js";
import { schemaTypes } from "./schema-types.js";
import { schemaProperties } from "./selection.js";

/** A property's types as a user reads them: `integer`, `string or null`. */
function typesOf(schema: JsonSchemaObject): string {
  const types = schemaTypes(schema);
  const ordered = [...types.filter((type) => type !== "null"), ...types.filter((type) => type === "null")];
  return ordered.length === 0 ? "any" : ordered.join(" or ");
}

/**
 * What changed between two discoveries of a source, one line per change:
 * `+ stream orders`, `- stream legacy`, `people: + email (string or null)`,
 * `people: - fax`, `people: ~ amount (integer → number)`. Top-level
 * properties only; empty when nothing a user chooses from changed.
 */
export function catalogChanges(before: Catalog, after: Catalog): string[] {
  const lines: string[] = [];
  const old = new Map(before.streams.map((stream) => [stream.tap_stream_id, stream]));
  const now = new Set(after.streams.map((stream) => stream.tap_stream_id));
  for (const stream of after.streams) {
    const previous = old.get(stream.tap_stream_id);
    if (previous === undefined) {
      lines.push(`+ stream ${stream.tap_stream_id}`);
      continue;
    }
    const was = schemaProperties(previous.schema);
    const is = schemaProperties(stream.schema);
    for (const [name, schema] of Object.entries(is)) {
      const earlier = Object.hasOwn(was, name) ? was[name] : undefined;
      if (earlier === undefined) lines.push(`${stream.tap_stream_id}: + ${name} (${typesOf(schema)})`);
      else if (typesOf(earlier) !== typesOf(schema)) lines.push(`${stream.tap_stream_id}: ~ ${name} (${typesOf(earlier)} → ${typesOf(schema)})`);
    }
    for (const name of Object.keys(was)) if (!Object.hasOwn(is, name)) lines.push(`${stream.tap_stream_id}: - ${name}`);
  }
  for (const stream of before.streams) if (!now.has(stream.tap_stream_id)) lines.push(`- stream ${stream.tap_stream_id}`);
  return lines;
}
