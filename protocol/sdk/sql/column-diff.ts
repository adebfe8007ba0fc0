/*
 * How an existing table differs from what a stream's schema now asks for:
 * the one comparison behind the evolve step of target-postgres,
 * target-sqlite and target-duckdb. Each engine then acts on it its own way
 * (ALTER TABLE … TYPE jsonb, a rebuild with ANY columns, a cast to JSON),
 * and none ever drops a column or a value.
 */

/** How an engine names and compares column types. */
export interface ColumnTypes {
  /** The name the table knows a column by (DuckDB ignores case); the name itself by default. */
  readonly keyOf?: (name: string) => string;
  /** True when a column stored as `stored` already holds values the schema wants as `wanted`: the same type, or the engine's catch-all (jsonb, ANY, JSON). */
  readonly holds: (stored: string, wanted: string) => boolean;
}

/** A column the table has but whose type no longer holds the schema's values. */
export interface RetypedColumn {
  readonly name: string;
  readonly stored: string;
  readonly wanted: string;
}

export interface ColumnChanges {
  /** Wanted columns the table lacks, in the schema's order. */
  readonly added: readonly string[];
  /** Columns whose stored type does not hold the wanted one, in the schema's order. */
  readonly retyped: readonly RetypedColumn[];
}

/**
 * Compares the table's columns (`existing`: name → stored type, as the
 * engine's catalog reports it) with the schema's (`wanted`: name → type, in
 * the same words).
 */
export function diffColumns(existing: ReadonlyMap<string, string>, wanted: ReadonlyMap<string, string>, types: ColumnTypes): ColumnChanges {
  const keyOf = types.keyOf ?? ((name: string) => name);
  const added: string[] = [];
  const retyped: RetypedColumn[] = [];
  for (const [name, type] of wanted) {
    const stored = existing.get(keyOf(name));
    if (stored === undefined) added.push(name);
    else if (!types.holds(stored, type)) retyped.push({ name, stored, wanted: type });
  }
  return { added, retyped };
}
