import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, DataError, type SchemaMessage } from "../../../protocol/index.js";
import type { Middleware, RecordValue, StreamShape } from "../types.js";
import { MapperWorker } from "./mapper-worker.js";

export interface MapperOptions {
  readonly command: string;
  readonly config: Record<string, unknown> | undefined;
  /** Processes in the pool. */
  readonly workers: number;
  /** A request not answered in this time recycles its worker and fails what it held. */
  readonly timeoutSeconds: number;
  readonly env: Record<string, string>;
  readonly cwd: string;
  readonly streams: readonly string[] | undefined;
}

/**
 * An external mapper executable (Singer in, Singer out, any language) as a
 * middleware step, run as a pool of processes. Records go to the least busy
 * worker; the run's ordered window puts results back in source order. A
 * worker that times out or dies is replaced, and the records it held are
 * dead-lettered (replayable). The mapper may change or drop a record; it may
 * not split one into several.
 */
export function mapperMiddleware(name: string, options: MapperOptions): Middleware {
  const logger = createLogger("agora", "info");
  const workDir = mkdtempSync(join(tmpdir(), "agora-mapper-"));
  let configArgs: string[] = [];
  if (options.config !== undefined) {
    const file = join(workDir, "config.json");
    writeFileSync(file, JSON.stringify(options.config), { mode: 0o600 });
    configArgs = ["--config", file];
  }
  const workers: Array<MapperWorker | undefined> = new Array<MapperWorker | undefined>(options.workers).fill(undefined);
  const launch = (index: number): MapperWorker =>
    new MapperWorker({ name: `${name}#${index + 1}`, role: "mapper", command: options.command, args: configArgs, env: options.env, cwd: options.cwd }, logger);
  const workerFor = (): MapperWorker => {
    let best = 0;
    for (let index = 0; index < workers.length; index += 1) {
      const worker = workers[index];
      if (worker === undefined || worker.isDead) workers[index] = launch(index);
      if ((workers[index] as MapperWorker).inFlight < (workers[best] as MapperWorker).inFlight) best = index;
    }
    return workers[best] as MapperWorker;
  };
  const timeoutMs = options.timeoutSeconds * 1000;
  const watchdog = setInterval(() => {
    const now = Date.now();
    workers.forEach((worker, index) => {
      if (worker === undefined || worker.oldestWait(now) < timeoutMs) return;
      logger.warn(`${name}: worker ${index + 1} gave no answer for ${options.timeoutSeconds} s; replacing it`);
      worker.failAll(new DataError("MAPPER_TIMEOUT", `the mapper gave no answer within ${options.timeoutSeconds} s`));
      worker.kill();
      workers[index] = undefined;
    });
  }, Math.min(1000, timeoutMs / 4));
  watchdog.unref();

  const schemaMessage = (shape: StreamShape): SchemaMessage => ({ type: "SCHEMA", stream: shape.stream, schema: shape.schema, key_properties: shape.keyProperties });

  return {
    name,
    streams: options.streams,
    async transformSchema(shape) {
      const { schemas } = await workerFor().probeSchema(schemaMessage(shape));
      const output = schemas.find((schema) => schema.stream === shape.stream) ?? schemas[0];
      return output === undefined ? shape : { stream: shape.stream, schema: output.schema, keyProperties: output.key_properties };
    },
    async transform(record: RecordValue, shape: StreamShape) {
      const { records } = await workerFor().map(schemaMessage(shape), record);
      if (records.length > 1) throw new DataError("MAPPER_SPLIT", `the mapper turned one record into ${records.length}; splitting records is not supported`);
      return records[0]?.record ?? null;
    },
    async close() {
      clearInterval(watchdog);
      await Promise.all(workers.map((worker) => worker?.close()));
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
