import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  applyCatalogOverrides,
  applySelectRules,
  catalogChanges,
  describeSelection,
  GlobError,
  findCatalogProblems,
  metadataAt,
  normalizeCatalog,
  parseSelectRules,
  propertyBreadcrumb,
  streamMetadata,
  type Catalog,
  type OverrideProblem,
  type SelectRule,
  type StreamSelectReport,
} from "../../catalogs/index.js";
import { ConfigError, type Logger } from "../../protocol/index.js";
import { RunnerCodes } from "../errors.js";
import type { ConnectorAbout } from "../connector/about.js";
import type { CatalogSettings, PipelineDefinition } from "../definition.js";
import { splitCommand } from "../process/split-command.js";
import { settingLine } from "../project/setting-line.js";
import type { CatalogCache } from "../state/interfaces.js";
import { catalogCacheKey } from "./catalog-cache-key.js";
import { discoverCatalog } from "./discover-catalog.js";
import { discoverAirbyte } from "../airbyte/airbyte-commands.js";

/** The catalog a run hands its tap, and how it was made. */
export interface CatalogPlan {
  /** Where the catalog the overrides started from came from. */
  readonly source: "cache" | "discovery" | "file";
  /** When that catalog was discovered (cache and discovery only). */
  readonly discoveredAt: string | undefined;
  /** The catalog the tap gets: overrides applied, every stream and property marked selected or not. */
  readonly catalog: Catalog;
  /** Per stream and property, whether it is selected and the rule that decided. */
  readonly report: readonly StreamSelectReport[];
  /** Select patterns that matched nothing, exclusions of keys that were kept. */
  readonly warnings: readonly string[];
  /** How the tap takes it: `--catalog`, or `--properties` for legacy Singer taps. */
  readonly flag: "--catalog" | "--properties";
  /** The key the discovered catalog is cached under (cache and discovery only). */
  readonly cacheKey?: string | undefined;
  /** A discovery that replaced a cached catalog: what changed, one line each (see catalogChanges); undefined when none was cached. */
  readonly changes?: readonly string[];
}

export interface CatalogPlanContext {
  readonly cache: CatalogCache;
  readonly logger: Logger;
  /** The tap's args with its config file, as for a sync. */
  readonly configArgs: readonly string[];
  readonly about: ConnectorAbout;
  /** Asked for by name (`agora discover`): discover even a tap whose --about says nothing about it. */
  readonly explicit?: boolean | undefined;
  /** Discover again even when a cached catalog fits. */
  readonly refresh?: boolean | undefined;
}

/** The label of the selection used when a pipeline has no `select`. */
export const SELECT_ALL = "(no select: everything)";

function hasOverrides(settings: CatalogSettings): boolean {
  return settings.select !== undefined || settings.metadata !== undefined || settings.schema !== undefined;
}

function configured(settings: CatalogSettings): string {
  return (["select", "metadata", "schema"] as const).filter((key) => settings[key] !== undefined).join(", ");
}

function readCatalogFile(file: string): Catalog {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `cannot read the pipeline's catalog file (${(error as Error).message})`, {
      where: { file },
      hint: 'Check the path in catalog = "..." and that it holds JSON.',
    });
  }
  const problems = findCatalogProblems(value);
  if (problems.length > 0)
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `the pipeline's catalog file is not a valid catalog: ${problems[0] ?? ""}`, {
      where: { file },
      hint: 'Fix it, or remove catalog = "..." to let the runner discover.',
    });
  return normalizeCatalog(value);
}

function overrideError(settings: CatalogSettings, problems: readonly OverrideProblem[]): ConfigError {
  const first = problems[0] as OverrideProblem;
  const origin = settings.origins[first.path[0] as "metadata" | "schema"];
  const line = origin === undefined ? undefined : settingLine(origin.file, [...origin.path, ...first.path]);
  const more =
    problems.length > 1
      ? ` (and ${problems.length - 1} more: ${problems
          .slice(1, 4)
          .map((problem) => problem.path.join("."))
          .join(", ")})`
      : "";
  return new ConfigError(RunnerCodes.CATALOG_OVERRIDE_INVALID, `${origin === undefined ? "" : `${origin.path.join(".")}.`}${first.message}${more}`, {
    where: origin === undefined ? {} : { file: origin.file, ...(line === undefined ? {} : { line }) },
    hint: "Fix the name, or run `agora discover PIPELINE --refresh` if the source has changed.",
  });
}

/** The pipeline's select patterns, parsed; one that is not a glob (`[z-a]`) is an error naming the setting. */
function selectRules(settings: CatalogSettings): SelectRule[] {
  try {
    return parseSelectRules(settings.select ?? []);
  } catch (error) {
    if (!(error instanceof GlobError)) throw error;
    const origin = settings.origins.select;
    const line = origin === undefined ? undefined : settingLine(origin.file, [...origin.path, "select"]);
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `select: ${error.message}`, {
      where: origin === undefined ? {} : { file: origin.file, ...(line === undefined ? {} : { line }) },
      hint: "Write the range low to high ([a-z]), or name the stream or property.",
    });
  }
}

/** The catalog with `selected` written on every stream and property as the report says: no tap has to know Singer's defaults. */
function withExplicitSelection(catalog: Catalog, report: readonly StreamSelectReport[]): Catalog {
  return {
    streams: catalog.streams.map((stream, index) => {
      const decided = report[index] as StreamSelectReport;
      const metadata = [
        { breadcrumb: [], metadata: { ...streamMetadata(stream), selected: decided.decision.selected } },
        ...[...decided.properties].map(([dotted, decision]) => {
          const breadcrumb = propertyBreadcrumb(dotted.split("."));
          return { breadcrumb, metadata: { ...metadataAt(stream, breadcrumb), selected: decision.selected } };
        }),
      ];
      return { ...stream, metadata };
    }),
  };
}

/**
 * Applies the pipeline's schema, metadata and select to a catalog it starts
 * from. Without `select`, a discovered catalog is synced whole (as a run
 * without a catalog would be), and a catalog file keeps its own selection.
 */
export function effectiveCatalog(settings: CatalogSettings, base: Catalog, fromFile = false): Pick<CatalogPlan, "catalog" | "report" | "warnings"> {
  const { catalog, problems } = applyCatalogOverrides(base, { metadata: settings.metadata, schema: settings.schema });
  if (problems.length > 0) throw overrideError(settings, problems);
  if (fromFile && settings.select === undefined) {
    const report = describeSelection(catalog.streams, "the catalog file");
    return { catalog: withExplicitSelection(catalog, report), report, warnings: [] };
  }
  const rules = settings.select === undefined ? parseSelectRules(["*.*"]).map((rule) => ({ ...rule, text: SELECT_ALL })) : selectRules(settings);
  const selected = applySelectRules(catalog, rules);
  return { catalog: selected.catalog, report: selected.report, warnings: selected.warnings };
}

/**
 * The catalog for a run of `definition`, or undefined to run the tap
 * without one, as a plain Singer pipeline does: when the tap's own args
 * already pass one, when `discover = false`, or when the tap does not claim
 * discovery (and nothing needs a catalog). A catalog file of the pipeline
 * wins over discovery; discovery is cached by catalogCacheKey, and a failed
 * discovery never replaces the cached catalog.
 */
export async function planCatalog(definition: PipelineDefinition, context: CatalogPlanContext): Promise<CatalogPlan | undefined> {
  const settings = definition.catalog;
  const tap = definition.tap;
  const capabilities = context.about.capabilities;
  const where = { pipeline: definition.name, connector: tap.name };
  const flag =
    tap.catalogFlag ?? (capabilities !== undefined && !capabilities.includes("catalog") && capabilities.includes("properties") ? "--properties" : "--catalog");
  const ownFlag = [...splitCommand(tap.command), ...tap.args].find((arg) => arg === "--catalog" || arg === "--properties");
  if (ownFlag !== undefined) {
    if (hasOverrides(settings) || settings.file !== undefined || context.explicit === true) {
      throw new ConfigError(
        RunnerCodes.PROJECT_INVALID,
        `the tap's args pass ${ownFlag}${context.explicit === true && !hasOverrides(settings) && settings.file === undefined ? ": the runner does not discover for this pipeline" : `, and the pipeline sets ${configured(settings) || "catalog"} too`}`,
        {
          where,
          hint: `Use one: move the file to catalog = "..." (select, metadata and schema then apply to it), or remove ${configured(settings) || "catalog"}.`,
        },
      );
    }
    return undefined;
  }
  if (settings.file !== undefined) {
    return { source: "file", discoveredAt: undefined, flag, ...effectiveCatalog(settings, readCatalogFile(settings.file), true) };
  }
  const claims = capabilities === undefined ? undefined : capabilities.includes("discover");
  if (!settings.discover || claims === false || (claims === undefined && !hasOverrides(settings) && context.explicit !== true)) {
    if (!hasOverrides(settings) && context.explicit !== true) return undefined;
    const why = !settings.discover ? "discover = false" : `${tap.name} does not claim the "discover" capability`;
    const what = hasOverrides(settings) ? `the pipeline sets ${configured(settings)}, which needs a catalog` : "the pipeline has no catalog";
    throw new ConfigError(RunnerCodes.PROJECT_INVALID, `${what}, but ${why}`, {
      where,
      hint: 'Give the pipeline a catalog file (catalog = "catalog.json"), or remove the setting.',
    });
  }
  const key = catalogCacheKey(tap, context.about.version);
  const cached = await context.cache.getCachedCatalog(key);
  const usable = cached !== undefined && findCatalogProblems(cached.catalog).length === 0;
  if (context.refresh !== true && cached !== undefined && usable) {
    context.logger.debug(`pipeline ${definition.name}: using the catalog discovered ${cached.discoveredAt}`);
    return { source: "cache", discoveredAt: cached.discoveredAt, flag, cacheKey: key, ...effectiveCatalog(settings, normalizeCatalog(cached.catalog)) };
  }
  context.logger.info(`pipeline ${definition.name}: discovering ${tap.name}'s streams`);
  const timeoutMs = Math.max(30, definition.idleTimeoutSeconds) * 1000;
  const discovered =
    context.about.protocol === "airbyte"
      ? await discoverAirbyte(tap, context.configArgs, timeoutMs)
      : await discoverCatalog(tap, context.configArgs, timeoutMs);
  // What the tap printed is cached as it is: fixing a bad override then needs no discovery again.
  await context.cache.saveCachedCatalog(key, definition.name, discovered);
  const changes = cached !== undefined && usable ? catalogChanges(normalizeCatalog(cached.catalog), discovered) : undefined;
  // `agora discover` prints the changes itself, one a line.
  if (changes !== undefined && changes.length > 0 && context.explicit !== true)
    context.logger.info(
      `pipeline ${definition.name}: the source changed since the catalog discovered ${cached?.discoveredAt ?? "before"}: ${changes.join("; ")}`,
    );
  return {
    source: "discovery",
    discoveredAt: new Date().toISOString(),
    flag,
    cacheKey: key,
    ...(changes === undefined ? {} : { changes }),
    ...effectiveCatalog(settings, discovered),
  };
}

/** Writes the plan's catalog (mode 0600) into `dir`; returns the args that hand it to the tap. */
export function catalogArgs(plan: CatalogPlan, dir: string): string[] {
  const file = join(dir, "catalog.json");
  writeFileSync(file, JSON.stringify(plan.catalog), { mode: 0o600 });
  return [plan.flag, file];
}
