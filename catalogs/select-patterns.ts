import type { Catalog, CatalogStream, JsonSchemaObject, MetadataEntry } from "./catalog.js";
import { compileGlob, type Glob } from "./glob.js";
import { metadataAt, propertyBreadcrumb, streamMetadata } from "./metadata.js";

/**
 * Meltano's selection patterns, so users can carry their habits over:
 * `stream.property` with shell globs (`*`, `?`, `[abc]`) on each side,
 * nested properties by dots (`customers.address.city`), a leading `!` to
 * exclude, exclusions winning over inclusions. `orders` alone means
 * `orders.*`. Key properties and replication keys are always kept.
 */
export interface SelectRule {
  /** The pattern as the user wrote it. */
  readonly text: string;
  readonly exclude: boolean;
  readonly stream: Glob;
  readonly property: Glob;
  /** True for `stream.*`: the rule covers every property (so `!stream.*` drops the stream). */
  readonly wholeStream: boolean;
}

/** Why a stream or property is selected or not: the rule that decided, or what else did. */
export interface SelectDecision {
  readonly selected: boolean;
  readonly by: string;
}

export interface StreamSelectReport {
  readonly stream: string;
  readonly decision: SelectDecision;
  /** By dotted property path, in schema order. */
  readonly properties: ReadonlyMap<string, SelectDecision & { readonly automatic: boolean }>;
}

export interface SelectOutcome {
  /** The catalog with `selected` set on every stream and property. */
  readonly catalog: Catalog;
  readonly report: readonly StreamSelectReport[];
  /** Patterns that matched nothing, and exclusions that tried to drop a key. */
  readonly warnings: readonly string[];
}

/** Parses `select = [...]` patterns; a glob that does not parse (`[z-a]`) is a GlobError. */
export function parseSelectRules(patterns: readonly string[]): SelectRule[] {
  return patterns.map((text) => {
    const exclude = text.startsWith("!");
    const body = exclude ? text.slice(1) : text;
    const dot = body.indexOf(".");
    const stream = dot === -1 ? body : body.slice(0, dot);
    const property = dot === -1 ? "*" : body.slice(dot + 1);
    return { text, exclude, stream: compileGlob(stream), property: compileGlob(property), wholeStream: property === "*" };
  });
}

/** Every property path of a schema, parents before children, as dotted paths and name lists. */
function propertyPaths(schema: unknown, prefix: readonly string[] = []): Array<readonly string[]> {
  const properties = typeof schema === "object" && schema !== null ? (schema as JsonSchemaObject)["properties"] : undefined;
  if (typeof properties !== "object" || properties === null) return [];
  return Object.entries(properties as Record<string, unknown>).flatMap(([name, child]) => [[...prefix, name], ...propertyPaths(child, [...prefix, name])]);
}

function keysOf(stream: CatalogStream): Set<string> {
  const metadata = streamMetadata(stream);
  return new Set([
    ...(stream.key_properties ?? []),
    ...(metadata["table-key-properties"] ?? []),
    ...(stream.replication_key === undefined ? [] : [stream.replication_key]),
    ...(metadata["replication-key"] === undefined ? [] : [metadata["replication-key"]]),
  ]);
}

/** Applies select rules to a discovered catalog: every stream and property gets `selected`, with the reason. */
export function applySelectRules(catalog: Catalog, rules: readonly SelectRule[]): SelectOutcome {
  const warnings: string[] = [];
  const used = new Set<SelectRule>();
  const report: StreamSelectReport[] = [];
  const streams = catalog.streams.map((stream): CatalogStream => {
    const name = stream.tap_stream_id;
    const matching = rules.filter((rule) => rule.stream.test(name));
    const dropAll = matching.find((rule) => rule.exclude && rule.wholeStream);
    const include = matching.find((rule) => !rule.exclude);
    const streamDecision: SelectDecision =
      dropAll !== undefined
        ? { selected: false, by: dropAll.text }
        : include !== undefined
          ? { selected: true, by: include.text }
          : { selected: false, by: "no pattern" };
    if (dropAll !== undefined) used.add(dropAll);
    const keys = keysOf(stream);
    const replicationKeys = new Set([stream.replication_key, streamMetadata(stream)["replication-key"]].filter((key): key is string => key !== undefined));
    const properties = new Map<string, SelectDecision & { automatic: boolean }>();
    const excludedBy = new Map<string, string>();
    const metadata: MetadataEntry[] = [{ breadcrumb: [], metadata: { ...streamMetadata(stream), selected: streamDecision.selected } }];
    for (const path of propertyPaths(stream.schema)) {
      const dotted = path.join(".");
      const breadcrumb = propertyBreadcrumb(path);
      const own = metadataAt(stream, breadcrumb);
      const automatic = own.inclusion === "automatic" || (path.length === 1 && keys.has(dotted));
      const excluding = matching.find((rule) => rule.exclude && rule.property.test(dotted));
      const including = matching.find((rule) => !rule.exclude && rule.property.test(dotted));
      const parent = properties.get(path.slice(0, -1).join("."));
      // Excluding an object excludes everything in it: exclusions win.
      const parentExcludedBy = excludedBy.get(path.slice(0, -1).join("."));
      let decision: SelectDecision;
      if (automatic) {
        decision = {
          selected: true,
          by: own.inclusion === "automatic" ? "the tap (inclusion: automatic)" : replicationKeys.has(dotted) ? "replication key" : "key property",
        };
        if (excluding !== undefined && streamDecision.selected) {
          warnings.push(`select pattern ${JSON.stringify(excluding.text)} would drop ${name}.${dotted}, a key or replication key: it is kept`);
          used.add(excluding);
        }
      } else if (own.inclusion === "unsupported") decision = { selected: false, by: "unsupported" };
      else if (excluding !== undefined) decision = { selected: false, by: excluding.text };
      else if (parentExcludedBy !== undefined) decision = { selected: false, by: parentExcludedBy };
      else if (including !== undefined) decision = { selected: true, by: including.text };
      else if (parent?.selected === true && path.length > 1) decision = { selected: true, by: parent.by };
      else decision = { selected: false, by: "no pattern" };
      if (!decision.selected && (excluding !== undefined || parentExcludedBy !== undefined)) excludedBy.set(dotted, decision.by);
      if (excluding !== undefined) used.add(excluding);
      if (including !== undefined) used.add(including);
      properties.set(dotted, { ...decision, automatic });
    }
    // A nested property is emitted inside its parent: selecting it selects the parent (its other properties stay as decided).
    for (const [dotted, decision] of [...properties]) {
      if (!decision.selected) continue;
      const parts = dotted.split(".");
      for (let length = parts.length - 1; length >= 1; length -= 1) {
        const parentPath = parts.slice(0, length).join(".");
        const parent = properties.get(parentPath);
        if (parent === undefined || parent.selected) break;
        properties.set(parentPath, { selected: true, by: `for ${dotted}`, automatic: parent.automatic });
      }
    }
    for (const path of propertyPaths(stream.schema)) {
      const breadcrumb = propertyBreadcrumb(path);
      const decision = properties.get(path.join(".")) as SelectDecision;
      metadata.push({ breadcrumb, metadata: { ...metadataAt(stream, breadcrumb), selected: decision.selected && streamDecision.selected } });
    }
    for (const rule of matching) if (!rule.exclude && rule.wholeStream) used.add(rule);
    // Entries the schema walk did not reach (other breadcrumbs) are kept as they were.
    for (const entry of stream.metadata) {
      if (
        !metadata.some((kept) => kept.breadcrumb.length === entry.breadcrumb.length && kept.breadcrumb.every((part, index) => part === entry.breadcrumb[index]))
      )
        metadata.push(entry);
    }
    report.push({ stream: name, decision: streamDecision, properties });
    return { ...stream, selected: streamDecision.selected, metadata };
  });
  const names = catalog.streams.map((stream) => stream.tap_stream_id);
  for (const rule of rules) {
    if (used.has(rule)) continue;
    const streamsMatched = names.filter((name) => rule.stream.test(name));
    warnings.push(
      streamsMatched.length === 0
        ? `select pattern ${JSON.stringify(rule.text)} matches no stream (streams: ${names.join(", ") || "none"})`
        : `select pattern ${JSON.stringify(rule.text)} matches no property of ${streamsMatched.join(", ")}`,
    );
  }
  return { catalog: { streams }, report, warnings };
}
