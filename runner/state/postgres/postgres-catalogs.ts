import type { CatalogCache } from "../interfaces.js";
import type { CachedCatalog } from "../types.js";
import { now } from "../rows.js";
import type { PostgresHandle } from "./postgres-handle.js";

/** Discovered catalogs (and connectors' --about), cached by key. */
export class PostgresCatalogs implements CatalogCache {
  constructor(private readonly handle: PostgresHandle) {}

  async getCachedCatalog(key: string): Promise<CachedCatalog | undefined> {
    return this.handle.guard("read a cached catalog", async (client) => {
      const row = (
        await client.query<{ pipeline: string; catalog: string; discovered_at: string }>(
          "SELECT pipeline, catalog, discovered_at FROM catalogs WHERE cache_key = $1",
          [key],
        )
      ).rows[0];
      return row === undefined ? undefined : { pipeline: row.pipeline, catalog: JSON.parse(row.catalog) as unknown, discoveredAt: row.discovered_at };
    });
  }

  async saveCachedCatalog(key: string, pipeline: string, catalog: unknown): Promise<void> {
    return this.handle.guard(`cache the catalog of pipeline ${pipeline}`, async (client) => {
      await client.query(
        "INSERT INTO catalogs (cache_key, pipeline, catalog, discovered_at) VALUES ($1, $2, $3, $4) ON CONFLICT (cache_key) DO UPDATE SET pipeline = excluded.pipeline, catalog = excluded.catalog, discovered_at = excluded.discovered_at",
        [key, pipeline, JSON.stringify(catalog), now()],
      );
    });
  }
}
