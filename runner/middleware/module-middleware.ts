import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError } from "../../protocol/index.js";
import type { ArrowTable, Middleware, RecordValue, StreamShape } from "./types.js";

/** What a user module may export. */
interface MiddlewareModule {
  transform?: (record: RecordValue, shape: StreamShape) => RecordValue | null | Promise<RecordValue | null>;
  transformArrow?: (table: ArrowTable, shape: StreamShape) => ArrowTable | Promise<ArrowTable>;
  transformSchema?: (shape: StreamShape) => StreamShape;
  create?: (options: Record<string, unknown>) => Partial<Middleware> | Promise<Partial<Middleware>>;
  default?: unknown;
}

async function importModule(path: string): Promise<MiddlewareModule> {
  if (/\.(c|m)?tsx?$/.test(path)) {
    // TypeScript modules are compiled on the fly by tsx; Node 20 cannot strip types itself.
    const { tsImport } = await import("tsx/esm/api");
    return (await tsImport(pathToFileURL(path).href, import.meta.url)) as MiddlewareModule;
  }
  return (await import(pathToFileURL(path).href)) as MiddlewareModule;
}

/**
 * A middleware from a user's JS or TS file. The file exports `transform(record, shape)`
 * (sync or async; return null to drop the record; throw to dead-letter it), or a default
 * function doing the same, and/or `transformArrow(table, shape)` working on an Arrow batch
 * (an apache-arrow Table), or `create(options)` returning `{ transform, transformArrow, transformSchema }`.
 * An optional `transformSchema(shape)` describes what it does to the schema.
 */
export async function moduleMiddleware(name: string, file: string, projectDir: string, options: Record<string, unknown>, streams: readonly string[] | undefined): Promise<Middleware> {
  const path = resolve(projectDir, file);
  let loaded: MiddlewareModule;
  try {
    loaded = await importModule(path);
  } catch (error) {
    throw new ConfigError("MIDDLEWARE_MODULE_FAILED", `cannot load middleware module (${(error as Error).message.split("\n")[0] ?? ""})`, {
      where: { file: path, setting: name },
      hint: "Check the path (relative to pipelines.toml) and that the module loads with node.",
      cause: error,
    });
  }
  const transform = (loaded.transform ?? (typeof loaded.default === "function" ? loaded.default : undefined)) as Middleware["transform"];
  const made: Partial<Middleware> =
    typeof loaded.create === "function"
      ? await loaded.create(options)
      : {
          ...(transform === undefined ? {} : { transform }),
          ...(loaded.transformArrow === undefined ? {} : { transformArrow: loaded.transformArrow }),
          ...(loaded.transformSchema === undefined ? {} : { transformSchema: loaded.transformSchema }),
        };
  if (typeof made.transform !== "function" && typeof made.transformArrow !== "function") {
    throw new ConfigError("MIDDLEWARE_MODULE_INVALID", "the module exports no transform function", {
      where: { file: path, setting: name },
      hint: "Export `transform(record, shape)` (rows), `transformArrow(table, shape)` (Arrow batches), a default function, or `create(options)`.",
    });
  }
  return {
    name,
    streams,
    ...(made.transform === undefined ? {} : { transform: made.transform.bind(made) }),
    ...(made.transformArrow === undefined ? {} : { transformArrow: made.transformArrow.bind(made) }),
    ...(made.transformSchema === undefined ? {} : { transformSchema: made.transformSchema.bind(made) }),
    ...(made.close === undefined ? {} : { close: made.close.bind(made) }),
  };
}
