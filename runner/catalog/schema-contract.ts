import { normalizeCatalog, type CatalogStream } from "../../catalogs/index.js";
import { DataError, type JsonSchema, type Logger } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import { propertiesOf, withProperties } from "../middleware/builtins/schema-edit.js";
import type { RecordValue, StreamShape } from "../middleware/types.js";
import type { CatalogSettings, SchemaChangesPolicy } from "../definition.js";
import type { CatalogCache } from "../state/interfaces.js";
import { effectiveCatalog, type CatalogPlan } from "./plan-catalog.js";

/** Columns a stream's SCHEMA names that the catalog handed to the tap does not. */
export interface NewColumns {
  readonly stream: string;
  /** Every new column, as the tap announced it. */
  readonly columns: Readonly<Record<string, JsonSchema>>;
  /** Those the pipeline's select takes. */
  readonly selected: readonly string[];
  /** Those the pipeline's select leaves out: never loaded. */
  readonly unselected: readonly string[];
}

/** What happens to a stream's records because of its new columns: the columns cut out, and whether a value in one rejects the row. */
export interface RecordCut {
  readonly columns: readonly string[];
  readonly rejectRows: readonly string[];
}

function list(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(", ");
}

/**
 * The pipeline's contract with its source's columns. The catalog a run
 * hands its tap lists the columns known when it was discovered; a tap whose
 * source gained some since (a CSV header with a new column) announces them
 * in its SCHEMA. Here each tap SCHEMA is compared with that catalog, and
 * the new columns the pipeline's `select` would take are handled by the
 * policy: loaded and remembered (`evolve`), a stop before the stream loads
 * (`freeze`), rows with a value in one rejected (`discard_row`), or cut
 * out (`discard_value`). Without a catalog there is nothing to compare.
 */
export class SchemaContract {
  private plan: CatalogPlan | undefined;
  private readonly cuts = new Map<string, RecordCut>();
  /** Every stream that announced new columns this run, in order. */
  readonly found: NewColumns[] = [];

  constructor(
    private readonly policy: SchemaChangesPolicy,
    private readonly settings: CatalogSettings,
    private readonly pipeline: string,
    private readonly logger: Logger,
  ) {}

  /** True when new columns are loaded (and so belong in the cached catalog). */
  get evolves(): boolean {
    return this.policy === "evolve";
  }

  /** The catalog the tap was handed (undefined: the tap runs without one). */
  use(plan: CatalogPlan | undefined): void {
    this.plan = plan;
  }

  /** The tap's SCHEMA of a stream, as the rest of the run sees it; throws under `freeze` when it has new columns. */
  check(shape: StreamShape): StreamShape {
    this.cuts.delete(shape.stream);
    const entry = this.plan?.catalog.streams.find((stream) => stream.tap_stream_id === shape.stream);
    if (entry === undefined) return shape;
    const known = propertiesOf(entry.schema);
    const announced = propertiesOf(shape.schema);
    const added = Object.keys(announced).filter((name) => !Object.hasOwn(known, name));
    if (added.length === 0) return shape;
    const taken = this.selectedAmong(entry, shape.schema, added);
    const selected = added.filter((name) => taken.has(name));
    const unselected = added.filter((name) => !taken.has(name));
    this.found.push({ stream: shape.stream, columns: Object.fromEntries(added.map((name) => [name, announced[name] as JsonSchema])), selected, unselected });
    const prefix = `pipeline ${this.pipeline}: stream ${shape.stream} has ${added.length === 1 ? "a column" : "columns"} its catalog lacks`;
    if (unselected.length > 0) this.logger.info(`${prefix}: ${list(unselected)}, which the pipeline's select leaves out`);
    if (selected.length === 0) return this.cut(shape, { columns: unselected, rejectRows: [] });
    const fromFile = this.plan?.source === "file";
    switch (this.policy) {
      case "freeze":
        throw new DataError(
          RunnerCodes.SCHEMA_CHANGED,
          `the source has ${selected.length === 1 ? "a new column" : "new columns"} its catalog lacks (${list(selected)}), and schema_changes = "freeze": nothing of the stream was loaded`,
          {
            where: { pipeline: this.pipeline, stream: shape.stream },
            hint: fromFile
              ? `Add ${selected.length === 1 ? "it" : "them"} to the pipeline's catalog file to accept the change, or set schema_changes = "evolve".`
              : `Accept the change with \`agora discover ${this.pipeline} --refresh\` and run again, or set schema_changes = "evolve" to load new columns as they come.`,
          },
        );
      case "discard_value":
        this.logger.warn(`${prefix}: ${list(selected)}; schema_changes = "discard_value" leaves ${selected.length === 1 ? "it" : "them"} out`);
        return this.cut(shape, { columns: added, rejectRows: [] });
      case "discard_row":
        this.logger.warn(
          `${prefix}: ${list(selected)}; schema_changes = "discard_row" rejects the rows that have a value in ${selected.length === 1 ? "it" : "one"} (on_error decides where they go)`,
        );
        return this.cut(shape, { columns: added, rejectRows: selected });
      case "evolve":
        this.logger.warn(
          `${prefix}: ${list(selected)}; loaded (schema_changes = "evolve")${fromFile ? "; add them to the pipeline's catalog file to keep it whole" : ", and added to the cached catalog"}`,
        );
        return unselected.length === 0 ? shape : this.cut(shape, { columns: unselected, rejectRows: [] });
    }
  }

  /** What to do to a stream's records, or undefined when nothing (the common case: no cost per record). */
  cutFor(stream: string): RecordCut | undefined {
    return this.cuts.get(stream);
  }

  private cut(shape: StreamShape, cut: RecordCut): StreamShape {
    this.cuts.set(shape.stream, cut);
    const kept = Object.create(null) as Record<string, JsonSchema>;
    for (const [name, property] of Object.entries(propertiesOf(shape.schema))) if (!cut.columns.includes(name)) kept[name] = property;
    return withProperties(shape, kept);
  }

  /** Which of the new columns the pipeline's select takes, as it would had discovery seen them. */
  private selectedAmong(entry: CatalogStream, announced: JsonSchema, added: readonly string[]): Set<string> {
    const extended: CatalogStream = {
      ...entry,
      schema: {
        ...entry.schema,
        properties: { ...propertiesOf(entry.schema), ...Object.fromEntries(added.map((name) => [name, propertiesOf(announced)[name]])) },
      },
    };
    try {
      const { report } = effectiveCatalog(this.settings, { streams: [extended] }, this.plan?.source === "file");
      const decisions = report[0]?.properties;
      return new Set(added.filter((name) => decisions?.get(name)?.selected !== false));
    } catch {
      // The overrides applied to this catalog before: they cannot fail on it now, but a column is never lost for it.
      return new Set(added);
    }
  }
}

/** A record with a cut applied: the record without the cut columns, or the first column whose value rejects it. */
export function applyCut(record: RecordValue, cut: RecordCut): { readonly record: RecordValue } | { readonly rejectedBy: string } {
  for (const name of cut.rejectRows) {
    const value = record[name];
    if (value !== undefined && value !== null) return { rejectedBy: name };
  }
  if (!cut.columns.some((name) => Object.hasOwn(record, name))) return { record };
  const kept = Object.create(null) as RecordValue;
  for (const [name, value] of Object.entries(record)) if (!cut.columns.includes(name)) kept[name] = value;
  return { record: kept };
}

/** The cached catalog with the columns a run found added to their streams' schemas (as the tap announced them). */
export function catalogWithColumns(streams: readonly CatalogStream[], found: readonly NewColumns[]): CatalogStream[] {
  return streams.map((stream) => {
    const added = found.filter((change) => change.stream === stream.tap_stream_id);
    if (added.length === 0) return stream;
    const properties = Object.assign(Object.create(null) as Record<string, JsonSchema>, propertiesOf(stream.schema), ...added.map((change) => change.columns));
    return { ...stream, schema: { ...stream.schema, properties } };
  });
}

/**
 * Under `evolve`, the cached catalog takes the new columns a run loaded, so
 * the next run hands them to the tap like any other (and `agora select`
 * lists them). Nothing changes for a catalog file or without new columns.
 */
export async function rememberNewColumns(cache: CatalogCache, plan: CatalogPlan | undefined, contract: SchemaContract, pipeline: string): Promise<void> {
  if (plan?.cacheKey === undefined || contract.found.length === 0 || !contract.evolves) return;
  const cached = await cache.getCachedCatalog(plan.cacheKey);
  if (cached === undefined) return;
  const catalog = normalizeCatalog(cached.catalog);
  await cache.saveCachedCatalog(plan.cacheKey, pipeline, { ...catalog, streams: catalogWithColumns(catalog.streams, contract.found) });
}
