import { builtFile } from "../../process/package-root.js";
import { resolve } from "node:path";
import { DataError, loadArrow, mayHoldExactNumbers, parseJsonExact, stringifyJson } from "../../../protocol/index.js";
import type { ArrowTable, Middleware, RecordValue } from "../types.js";
import { BatchPool } from "./batch-pool.js";
import { RunnerCodes } from "../../errors.js";

export interface BatchProcessOptions {
  /** An executable speaking the batch protocol (batch-frames.ts), or undefined with `module`. */
  readonly command: string | undefined;
  /** A Node module exporting transformBatch / transformArrowBatch, run in worker processes of ours. */
  readonly module: string | undefined;
  readonly plane: "rows" | "arrow";
  /** Rows plane: records per batch. */
  readonly batchRows: number;
  readonly maxWorkers: number;
  readonly maxInFlight: number;
  readonly timeoutSeconds: number;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly streams: readonly string[] | undefined;
}

/** The command that runs a Node module as a batch worker. */
function moduleCommand(module: string, cwd: string): string {
  const worker = builtFile("runner", "middleware", "batch", "node-batch-worker.js");
  const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;
  return `${quote(process.execPath)} ${quote(worker)} ${quote(resolve(cwd, module))}`;
}

interface Waiting {
  readonly record: RecordValue;
  readonly resolve: (record: RecordValue | null) => void;
  readonly reject: (error: Error) => void;
}

/**
 * `batch_process`: a step run in a pool of worker processes that take whole
 * batches (the seeds' process batch middleware). On the rows plane, records
 * are gathered per stream into batches of `batch_rows` (or fewer, when no
 * more come in the same turn) and each comes back as one result per record
 * (null drops it); on the Arrow plane, each Arrow batch goes as it is and
 * must come back with as many rows. Results are committed in source order
 * by the run's ordered window, so a checkpoint never passes a batch still
 * being transformed; a failed batch fails its records (dead letters, or the
 * run's stop), see BatchPool for timeouts and poisoned generations.
 */
export function batchProcessMiddleware(name: string, options: BatchProcessOptions): Middleware {
  const command = options.command ?? moduleCommand(options.module ?? "", options.cwd);
  const pool = new BatchPool({
    name,
    command,
    env: options.env,
    cwd: options.cwd,
    maxWorkers: options.maxWorkers,
    maxInFlight: options.maxInFlight,
    timeoutMs: options.timeoutSeconds * 1000,
  });
  if (options.plane === "arrow") return arrowBatchStep(name, options, pool);
  const close = (): Promise<void> => pool.close();
  const gathering = new Map<string, Waiting[]>();
  let scheduled = false;
  const send = (stream: string, batch: Waiting[]): void => {
    const payload = Buffer.from(`${batch.map((item) => stringifyJson(item.record)).join("\n")}\n`);
    pool.run(stream, "jsonl", batch.length, payload).then(
      (answer) => settleBatch(name, stream, batch, answer.payload),
      (error: unknown) => {
        for (const item of batch) item.reject(error as Error);
      },
    );
  };
  const flushAll = (): void => {
    scheduled = false;
    for (const [stream, batch] of gathering) send(stream, batch);
    gathering.clear();
  };
  return {
    name,
    streams: options.streams,
    close,
    // The run's window must hold every record of the batches in flight, or no batch would fill.
    inFlightRecords: options.batchRows * options.maxInFlight,
    transform(record, shape) {
      return new Promise<RecordValue | null>((resolveRecord, reject) => {
        let batch = gathering.get(shape.stream);
        if (batch === undefined) {
          batch = [];
          gathering.set(shape.stream, batch);
        }
        batch.push({ record, resolve: resolveRecord, reject });
        if (batch.length >= options.batchRows) {
          gathering.delete(shape.stream);
          send(shape.stream, batch);
        } else if (!scheduled) {
          // A batch not full when this turn's records are in goes as it is: nothing waits for records that may never come.
          scheduled = true;
          setImmediate(flushAll);
        }
      });
    },
  };
}

/** An Arrow batch step: each Arrow batch to a worker as it is, and back with as many rows. */
function arrowBatchStep(name: string, options: BatchProcessOptions, pool: BatchPool): Middleware {
  return {
    name,
    streams: options.streams,
    close: () => pool.close(),
    async transformArrow(table: ArrowTable, shape) {
      const { tableFromIPC, tableToIPC } = await loadArrow();
      const answer = await pool.run(shape.stream, "arrow", table.numRows, tableToIPC(table, "stream"));
      const result = tableFromIPC(answer.payload);
      if (result.numRows !== table.numRows) {
        throw new DataError(
          RunnerCodes.BATCH_ROWS_CHANGED,
          `${name} returned ${result.numRows} rows for a batch of ${table.numRows}: an Arrow batch step must keep the row count`,
          {
            where: { stream: shape.stream },
            hint: "Return one row per row received (use a filter step to drop rows).",
          },
        );
      }
      return result;
    },
  };
}

/** A worker's answer to a batch of records: one JSON line per record, each resolving its record (null drops it) or rejecting it. */
function settleBatch(name: string, stream: string, batch: readonly Waiting[], payload: Buffer): void {
  const lines = payload
    .toString("utf8")
    .split("\n")
    .filter((line) => line !== "");
  if (lines.length !== batch.length) {
    const error = new DataError(
      RunnerCodes.BATCH_ROWS_CHANGED,
      `${name} returned ${lines.length} records for a batch of ${batch.length}: a batch step answers each record (null drops it)`,
      { where: { stream } },
    );
    for (const item of batch) item.reject(error);
    return;
  }
  for (const [index, line] of lines.entries()) {
    const item = batch[index] as Waiting;
    let value: unknown;
    try {
      value = mayHoldExactNumbers(line) ? parseJsonExact(line) : JSON.parse(line);
    } catch {
      item.reject(
        new DataError(RunnerCodes.BATCH_ANSWER_INVALID, `${name} answered record ${index + 1} of a batch with a line that is not JSON`, { where: { stream } }),
      );
      continue;
    }
    if (value === null) item.resolve(null);
    else if (typeof value === "object" && !Array.isArray(value)) item.resolve(value as RecordValue);
    else
      item.reject(
        new DataError(RunnerCodes.BATCH_ANSWER_INVALID, `${name} answered record ${index + 1} of a batch with ${typeof value}, not an object or null`, {
          where: { stream },
        }),
      );
  }
}
