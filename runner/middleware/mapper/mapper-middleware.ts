import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, DataError, type SchemaMessage } from "../../../protocol/index.js";
import { privateDir } from "../../process/private-dir.js";
import type { Middleware, RecordValue, StreamShape } from "../types.js";
import { MapperWorker, type MapperRequest } from "./mapper-worker.js";
import { RunnerCodes } from "../../errors.js";

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
  /** The project's runs folder: the mapper's config (secrets included) is written to a private folder in it. */
  readonly runsDir: string;
}

/**
 * An external mapper executable (Singer in, Singer out, any language) as a
 * middleware step, run as a pool of processes. Records go to the least busy
 * worker; the run's ordered window puts results back in source order. A
 * worker that times out or dies is replaced: the record it was stuck on is
 * dead-lettered (replayable), the ones queued behind it are sent again to a
 * fresh worker (the old one is killed, so none of its output is used). The mapper may change or drop a record; it may
 * not split one into several.
 */
export function mapperMiddleware(name: string, options: MapperOptions): Middleware {
  const logger = createLogger("agora", "info");
  const workDir = privateDir(options.runsDir, "mapper");
  let configArgs: string[] = [];
  if (options.config !== undefined) {
    const file = join(workDir, "config.json");
    writeFileSync(file, JSON.stringify(options.config), { mode: 0o600 });
    configArgs = ["--config", file];
  }
  const workers: Array<MapperWorker | undefined> = new Array<MapperWorker | undefined>(options.workers).fill(undefined);
  const launch = (index: number): MapperWorker => {
    const worker = new MapperWorker({
      name: `${name}#${index + 1}`,
      role: "mapper",
      command: options.command,
      args: configArgs,
      env: options.env,
      cwd: options.cwd,
    });
    worker.onLost = (requests) => {
      workers[index] = undefined;
      resend(requests);
    };
    return worker;
  };
  const workerFor = (): MapperWorker => {
    let best = 0;
    for (let index = 0; index < workers.length; index += 1) {
      const worker = workers[index];
      if (worker === undefined || worker.isDead) workers[index] = launch(index);
      if ((workers[index] as MapperWorker).inFlight < (workers[best] as MapperWorker).inFlight) best = index;
    }
    return workers[best] as MapperWorker;
  };
  /** Requests a lost worker held behind its stuck one go, in order, to a single fresh worker. */
  const resend = (requests: readonly MapperRequest[]): void => {
    if (requests.length === 0) return;
    const worker = workerFor();
    for (const request of requests) worker.send(request);
  };
  const ask = (
    schema: SchemaMessage,
    record: RecordValue | undefined,
  ): Promise<{ records: Array<{ stream: string; record: RecordValue }>; schemas: SchemaMessage[] }> =>
    new Promise((resolve, reject) => workerFor().send({ schema, record, resolve, reject }));
  const timeoutMs = options.timeoutSeconds * 1000;
  const watchdog = setInterval(
    () => {
      const now = Date.now();
      workers.forEach((worker, index) => {
        if (worker === undefined || worker.oldestWait(now) < timeoutMs) return;
        logger.warn(
          `${name}: worker ${index + 1} gave no answer for ${options.timeoutSeconds} s; replacing it (the record it was stuck on goes to the DLQ, the ones behind it are sent again)`,
        );
        const waiting = worker.giveUpHead(new DataError(RunnerCodes.MAPPER_TIMEOUT, `the mapper gave no answer within ${options.timeoutSeconds} s`));
        worker.kill();
        workers[index] = undefined;
        resend(waiting);
      });
    },
    Math.min(1000, timeoutMs / 4),
  );
  watchdog.unref();

  const schemaMessage = (shape: StreamShape): SchemaMessage => ({
    type: "SCHEMA",
    stream: shape.stream,
    schema: shape.schema,
    key_properties: shape.keyProperties,
  });

  return {
    name,
    streams: options.streams,
    async transformSchema(shape) {
      const { schemas } = await ask(schemaMessage(shape), undefined);
      const output = schemas.find((schema) => schema.stream === shape.stream) ?? schemas[0];
      return output === undefined ? shape : { stream: shape.stream, schema: output.schema, keyProperties: output.key_properties };
    },
    async transform(record: RecordValue, shape: StreamShape) {
      const { records } = await ask(schemaMessage(shape), record);
      if (records.length > 1)
        throw new DataError(RunnerCodes.MAPPER_SPLIT, `the mapper turned one record into ${records.length}; splitting records is not supported`);
      return records[0]?.record ?? null;
    },
    async close() {
      clearInterval(watchdog);
      await Promise.all(workers.map((worker) => worker?.close()));
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
