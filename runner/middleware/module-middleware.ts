import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, DataError } from "../../protocol/index.js";
import { refuseExitWhileLoaded } from "../process/exit-guard.js";
import type { ArrowTable, Middleware, RecordValue, StreamShape } from "./types.js";
import { RunnerCodes } from "../errors.js";

/** How long a module may take over one record (or Arrow batch) by default. */
const DEFAULT_TIMEOUT_SECONDS = 60;

/** What a module's transform gave back, for a message: `42`, `an array`, `a string`. */
function described(value: unknown): string {
  if (value === undefined) return "nothing (undefined)";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object that is not a plain record";
  return typeof value === "string" ? "a string" : `${typeof value} ${String(value)}`;
}

/** A result that is a record (a plain object) or null (drop); anything else is refused for this record alone. */
function checkedResult(result: unknown): RecordValue | null {
  if (result === null) return null;
  if (typeof result === "object" && !Array.isArray(result) && (Object.getPrototypeOf(result) === Object.prototype || Object.getPrototypeOf(result) === null))
    return result as RecordValue;
  throw new DataError(RunnerCodes.MIDDLEWARE_BAD_RESULT, `returned ${described(result)}, where a record (an object) or null was due`, {
    hint: "Return the record (changed or not), or null to drop it.",
  });
}

/** A promise that fails after `seconds` unless `promise` settles first. */
function settleWithin<T>(promise: Promise<T>, seconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DataError(RunnerCodes.MIDDLEWARE_TIMEOUT, `did not finish ${what} within ${seconds} s`, {
            hint: "Fix the module (a promise that never settles?), or raise the step's timeout_seconds.",
          }),
        ),
      seconds * 1000,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The module's record transform, its result checked and, when it is a promise, bounded in time. */
function checkedTransform(transform: NonNullable<Middleware["transform"]>, seconds: number): NonNullable<Middleware["transform"]> {
  return (record, shape) => {
    const result = transform(record, shape);
    return result instanceof Promise ? settleWithin(result, seconds, "a record").then(checkedResult) : checkedResult(result);
  };
}

function withTimeout(transformArrow: NonNullable<Middleware["transformArrow"]>, seconds: number, what: string): NonNullable<Middleware["transformArrow"]> {
  return (table, shape) => settleWithin(Promise.resolve(transformArrow(table, shape)), seconds, what);
}

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
export async function moduleMiddleware(
  name: string,
  file: string,
  projectDir: string,
  options: Record<string, unknown>,
  streams: readonly string[] | undefined,
  timeoutSeconds = DEFAULT_TIMEOUT_SECONDS,
): Promise<Middleware> {
  const path = resolve(projectDir, file);
  const release = refuseExitWhileLoaded();
  try {
    return await loadModuleMiddleware(name, path, options, streams, timeoutSeconds, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function loadModuleMiddleware(
  name: string,
  path: string,
  options: Record<string, unknown>,
  streams: readonly string[] | undefined,
  timeoutSeconds: number,
  release: () => void,
): Promise<Middleware> {
  let loaded: MiddlewareModule;
  try {
    loaded = await importModule(path);
  } catch (error) {
    throw new ConfigError(RunnerCodes.MIDDLEWARE_MODULE_FAILED, `cannot load middleware module (${(error as Error).message.split("\n")[0] ?? ""})`, {
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
    throw new ConfigError(RunnerCodes.MIDDLEWARE_MODULE_INVALID, "the module exports no transform function", {
      where: { file: path, setting: name },
      hint: "Export `transform(record, shape)` (rows), `transformArrow(table, shape)` (Arrow batches), a default function, or `create(options)`.",
    });
  }
  return {
    name,
    streams,
    ...(made.transform === undefined ? {} : { transform: checkedTransform(made.transform.bind(made), timeoutSeconds) }),
    ...(made.transformArrow === undefined ? {} : { transformArrow: withTimeout(made.transformArrow.bind(made), timeoutSeconds, "an Arrow batch") }),
    ...(made.transformSchema === undefined ? {} : { transformSchema: made.transformSchema.bind(made) }),
    close: async () => {
      try {
        await made.close?.call(made);
      } finally {
        release();
      }
    },
  };
}
