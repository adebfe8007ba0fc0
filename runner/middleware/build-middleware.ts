import { ConfigError, createAjv, type JsonSchema } from "../../protocol/index.js";
import { addFields, type FieldDefinition } from "./builtins/add-fields.js";
import { COERCE_TYPES, coerceTypes, type CoerceType } from "./builtins/coerce-types.js";
import { dropFields, renameFields, selectFields } from "./builtins/field-list.js";
import { filterRecords } from "./builtins/filter-records.js";
import { hashFields, maskFields } from "./builtins/protect-fields.js";
import { renameStream } from "./builtins/rename-stream.js";
import { batchProcessMiddleware } from "./batch/batch-process-middleware.js";
import { mapperMiddleware } from "./mapper/mapper-middleware.js";
import { moduleMiddleware } from "./module-middleware.js";
import { checkChainPlanes } from "./planes.js";
import type { Middleware, MiddlewareSpec } from "./types.js";
import { RunnerCodes } from "../errors.js";

const fieldList = { type: "array", minItems: 1, items: { type: "string", minLength: 1 } };
const streams = { type: "array", items: { type: "string" } };

/** Each middleware type's options, checked before a run starts. */
const OPTION_SCHEMAS: Record<string, JsonSchema> = {
  select: { required: ["fields"], properties: { fields: fieldList } },
  drop: { required: ["fields"], properties: { fields: fieldList } },
  rename: { required: ["fields"], properties: { fields: { type: "object", minProperties: 1, additionalProperties: { type: "string", minLength: 1 } } } },
  filter: { required: ["where"], properties: { where: { type: "string", minLength: 1 } } },
  mask: { required: ["fields"], properties: { fields: fieldList, with: { type: "string" }, keep_last: { type: "integer", minimum: 0 } } },
  hash: { required: ["fields"], properties: { fields: fieldList, algorithm: { enum: ["sha256", "sha512", "sha1", "md5"] }, salt: { type: "string" } } },
  add_fields: { required: ["fields"], properties: { fields: { type: "object", minProperties: 1 } } },
  coerce: { required: ["fields"], properties: { fields: { type: "object", minProperties: 1, additionalProperties: { enum: [...COERCE_TYPES] } } } },
  rename_stream: { required: ["from", "to"], properties: { from: { type: "string", minLength: 1 }, to: { type: "string", minLength: 1 } } },
  module: {
    required: ["path"],
    properties: { path: { type: "string", minLength: 1 }, options: { type: "object" }, timeout_seconds: { type: "number", exclusiveMinimum: 0 } },
  },
  batch_process: {
    properties: {
      command: { type: "string", minLength: 1 },
      module: { type: "string", minLength: 1 },
      plane: { enum: ["rows", "arrow"] },
      batch_rows: { type: "integer", minimum: 1 },
      max_workers: { type: "integer", minimum: 1, maximum: 64 },
      max_in_flight_batches: { type: "integer", minimum: 1, maximum: 1024 },
      timeout_seconds: { type: "number", exclusiveMinimum: 0 },
      env: { type: "object", additionalProperties: { type: "string" } },
    },
  },
  mapper: {
    required: ["command"],
    properties: {
      command: { type: "string", minLength: 1 },
      config: { type: "object" },
      workers: { type: "integer", minimum: 1, maximum: 64 },
      timeout_seconds: { type: "number", exclusiveMinimum: 0 },
      env: { type: "object", additionalProperties: { type: "string" } },
    },
  },
};

export const MIDDLEWARE_TYPES = Object.keys(OPTION_SCHEMAS);

function checkOptions(spec: MiddlewareSpec, label: string): void {
  const schema = OPTION_SCHEMAS[spec.type];
  if (schema === undefined) {
    throw new ConfigError(RunnerCodes.MIDDLEWARE_UNKNOWN, `${label}: unknown middleware type "${spec.type}"`, {
      hint: `Types: ${MIDDLEWARE_TYPES.join(", ")}.`,
    });
  }
  const validate = createAjv().compile({
    type: "object",
    ...schema,
    properties: { type: {}, streams, ...(schema["properties"] as object) },
    additionalProperties: false,
  });
  const type = spec.type;
  if (type === "rename_stream" && spec["streams"] !== undefined)
    throw new ConfigError(RunnerCodes.MIDDLEWARE_INVALID, `${label} (rename_stream) has no option "streams"`, {
      hint: "`from` names the stream (or a glob of them).",
    });
  if (validate(spec)) return;
  const error = validate.errors?.[0];
  const params = (error?.params ?? {}) as Record<string, unknown>;
  const problem =
    error?.keyword === "required"
      ? `needs "${String(params["missingProperty"])}"`
      : error?.keyword === "additionalProperties"
        ? `has no option "${String(params["additionalProperty"])}"`
        : `${error?.instancePath.slice(1) ?? ""} ${error?.message ?? "is invalid"}`;
  throw new ConfigError(RunnerCodes.MIDDLEWARE_INVALID, `${label} (${type}) ${problem}`, { hint: "See docs/runner.md for each middleware's options." });
}

/**
 * Builds a pipeline's middleware chain from its specs, checking every option
 * first. Files a step hands its processes (a mapper's config) go to a
 * private folder in `runsDir`, the project's runs folder. A step that
 * cannot be built closes the ones built before it.
 */
export async function buildMiddleware(specs: readonly MiddlewareSpec[], projectDir: string, runsDir: string): Promise<Middleware[]> {
  const built: Middleware[] = [];
  try {
    await buildSteps(specs, projectDir, runsDir, built);
  } catch (error) {
    for (const step of built) await Promise.resolve(step.close?.()).catch(() => undefined);
    throw error;
  }
  // Before anything starts: a chain mixing row-only and Arrow-only steps cannot run.
  checkChainPlanes(built);
  return built;
}

async function buildSteps(specs: readonly MiddlewareSpec[], projectDir: string, runsDir: string, built: Middleware[]): Promise<void> {
  for (const [index, spec] of specs.entries()) {
    const label = `middleware[${index}]`;
    checkOptions(spec, label);
    const name = `${label} ${spec.type}`;
    const only = spec["streams"] as string[] | undefined;
    const fields = spec["fields"];
    switch (spec.type) {
      case "select":
        built.push(selectFields(name, fields as string[], only));
        break;
      case "drop":
        built.push(dropFields(name, fields as string[], only));
        break;
      case "rename":
        built.push(renameFields(name, fields as Record<string, string>, only));
        break;
      case "filter":
        built.push(filterRecords(name, spec["where"] as string, only));
        break;
      case "mask":
        built.push(maskFields(name, fields as string[], only, (spec["with"] as string | undefined) ?? "****", (spec["keep_last"] as number | undefined) ?? 0));
        break;
      case "hash":
        built.push(hashFields(name, fields as string[], only, (spec["algorithm"] as string | undefined) ?? "sha256", spec["salt"] as string | undefined));
        break;
      case "add_fields":
        built.push(addFields(name, fields as Record<string, FieldDefinition>, only));
        break;
      case "coerce":
        built.push(coerceTypes(name, fields as Record<string, CoerceType>, only));
        break;
      case "rename_stream":
        built.push(renameStream(name, spec["from"] as string, spec["to"] as string));
        break;
      case "batch_process": {
        const command = spec["command"] as string | undefined;
        const module = spec["module"] as string | undefined;
        if ((command === undefined) === (module === undefined)) {
          throw new ConfigError(
            RunnerCodes.MIDDLEWARE_INVALID,
            `${label} (batch_process) needs one of "command" (an executable speaking the batch protocol) or "module" (a Node module)`,
            { hint: "See docs/runner.md, Batch workers." },
          );
        }
        built.push(
          batchProcessMiddleware(name, {
            command,
            module,
            plane: (spec["plane"] as "rows" | "arrow" | undefined) ?? "rows",
            batchRows: (spec["batch_rows"] as number | undefined) ?? 1000,
            maxWorkers: (spec["max_workers"] as number | undefined) ?? 1,
            maxInFlight: (spec["max_in_flight_batches"] as number | undefined) ?? 2,
            timeoutSeconds: (spec["timeout_seconds"] as number | undefined) ?? 60,
            env: (spec["env"] as Record<string, string> | undefined) ?? {},
            cwd: projectDir,
            streams: only,
          }),
        );
        break;
      }
      case "module":
        built.push(
          await moduleMiddleware(
            name,
            spec["path"] as string,
            projectDir,
            (spec["options"] as Record<string, unknown> | undefined) ?? {},
            only,
            spec["timeout_seconds"] as number | undefined,
          ),
        );
        break;
      default:
        built.push(
          mapperMiddleware(name, {
            command: spec["command"] as string,
            config: spec["config"] as Record<string, unknown> | undefined,
            workers: (spec["workers"] as number | undefined) ?? 1,
            timeoutSeconds: (spec["timeout_seconds"] as number | undefined) ?? 30,
            env: (spec["env"] as Record<string, string> | undefined) ?? {},
            cwd: projectDir,
            streams: only,
            runsDir,
          }),
        );
    }
  }
}
