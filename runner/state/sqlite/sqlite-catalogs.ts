import type { CatalogCache } from "../interfaces.js";
import type { CachedCatalog } from "../types.js";
import { now } from "../rows.js";
import type { SqliteHandle } from "./sqlite-handle.js";

/** Discovered catalogs (and connectors' --about), cached by key. */
export class SqliteCatalogs implements CatalogCache {
  constructor(private readonly handle: SqliteHandle) {}

  async getCachedCatalog(key: string): Promise<CachedCatalog | undefined> {
    return this.handle.guard(`read a cached catalog`, () => {
      const row = this.handle.db.prepare("SELECT pipeline, catalog, discovered_at FROM catalogs WHERE cache_key = ?").get(key) as
        | { pipeline: string; catalog: string; discovered_at: string }
        | undefined;
      return row === undefined ? undefined : { pipeline: row.pipeline, catalog: JSON.parse(row.catalog) as unknown, discoveredAt: row.discovered_at };
    });
  }

  async saveCachedCatalog(key: string, pipeline: string, catalog: unknown): Promise<void> {
    return this.handle.guard(`cache the catalog of pipeline ${pipeline}`, () => {
      this.handle.db
        .prepare(
          "INSERT INTO catalogs (cache_key, pipeline, catalog, discovered_at) VALUES (?, ?, ?, ?) ON CONFLICT (cache_key) DO UPDATE SET pipeline = excluded.pipeline, catalog = excluded.catalog, discovered_at = excluded.discovered_at",
        )
        .run(key, pipeline, JSON.stringify(catalog), now());
    });
  }
}
