import { DataError, FatalError } from "../../../protocol/index.js";
import { ConnectorProcess } from "../../process/connector-process.js";
import { frame, FrameError, FrameReader, type RequestHeader, type ResponseHeader } from "./batch-frames.js";
import { RunnerCodes } from "../../errors.js";

export interface PoolOptions {
  /** The step's name, for logs and errors. */
  readonly name: string;
  readonly command: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly maxWorkers: number;
  /** Batches sent and not yet answered, across the pool. */
  readonly maxInFlight: number;
  readonly timeoutMs: number;
}

/** A worker's answer to one batch. */
export interface BatchAnswer {
  readonly format: "jsonl" | "arrow";
  readonly payload: Buffer;
}

interface Worker {
  readonly process: ConnectorProcess;
  readonly generation: number;
  inFlight: number;
}

interface Job {
  readonly header: RequestHeader;
  readonly worker: Worker;
  readonly resolve: (answer: BatchAnswer) => void;
  readonly reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * A pool of worker processes taking whole batches (the batch protocol of
 * batch-frames.ts). Batches go to the least busy worker, at most
 * `maxInFlight` at once; answers may come in any order, and the caller
 * commits them in source order. The workers started together are one
 * generation: when a batch outlives `timeoutMs`, or a worker dies or writes
 * something that is not a frame, that generation is poisoned: all its
 * workers are killed, the batch fails, and so does every other batch the
 * generation still held (an answer from a pool in that state is not
 * trusted), and the next batch starts a new generation.
 */
export class BatchPool {
  private generation = 1;
  private workers: Worker[] = [];
  private readonly jobs = new Map<number, Job>();
  private readonly waiting: Array<() => void> = [];
  private nextId = 1;
  private closed = false;
  /** Set when a generation's worker died before answering anything: the command is broken, so no new workers are started. */
  private broken: Error | undefined;
  /** Batches answered by the current generation. */
  private answeredNow = 0;
  /** Generations poisoned so far. */
  recycled = 0;

  constructor(private readonly options: PoolOptions) {}

  /** Sends one batch; resolves with the worker's answer, rejects when the batch (or its generation) fails. */
  async run(stream: string, format: "jsonl" | "arrow", rows: number, payload: Uint8Array): Promise<BatchAnswer> {
    while (this.jobs.size >= this.options.maxInFlight) await new Promise<void>((wake) => this.waiting.push(wake));
    if (this.closed) throw new FatalError(RunnerCodes.BATCH_POOL_CLOSED, `${this.options.name}: the worker pool is closed`);
    if (this.broken !== undefined) throw this.broken;
    const worker = this.workerFor();
    const header: RequestHeader = { id: this.nextId, stream, format, rows, bytes: payload.byteLength };
    this.nextId += 1;
    return new Promise<BatchAnswer>((resolve, reject) => {
      const job: Job = { header, worker, resolve, reject, timer: undefined };
      job.timer = setTimeout(() => this.poison(worker.generation, job, this.timeoutError(job)), this.options.timeoutMs);
      this.jobs.set(header.id, job);
      worker.inFlight += 1;
      for (const part of frame(header, payload)) worker.process.stdin.write(part);
    });
  }

  private timeoutError(job: Job): DataError {
    return new DataError(
      RunnerCodes.BATCH_TIMEOUT,
      `${this.options.name}: batch ${job.header.id} of stream ${job.header.stream} (${job.header.rows} rows) got no answer within ${this.options.timeoutMs / 1000} s; the worker pool was recycled`,
      {
        where: { stream: job.header.stream },
        hint: "Raise timeout_seconds if the batches are that slow, or fix the worker; the batch's records can be replayed from the dead-letter queue.",
      },
    );
  }

  /** The least busy worker of the current generation, starting workers up to max_workers. */
  private workerFor(): Worker {
    if (this.workers.length < this.options.maxWorkers && this.workers.every((worker) => worker.inFlight > 0)) this.workers.push(this.launch());
    return this.workers.reduce((best, worker) => (worker.inFlight < best.inFlight ? worker : best));
  }

  private launch(): Worker {
    const generation = this.generation;
    const process = new ConnectorProcess({
      name: `${this.options.name}#${generation}.${this.workers.length + 1}`,
      role: "mapper",
      command: this.options.command,
      args: [],
      env: this.options.env,
      cwd: this.options.cwd,
    });
    const worker: Worker = { process, generation, inFlight: 0 };
    const reader = new FrameReader((header, payload) => this.answered(worker, header, payload));
    process.stdout.on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        if (error instanceof FrameError)
          this.poison(
            generation,
            undefined,
            new FatalError(RunnerCodes.BATCH_WORKER_PROTOCOL, `${process.name}: ${error.message}`, {
              hint: "A batch worker answers each request with a frame: a JSON header line, then its payload (docs/runner.md).",
            }),
          );
        else throw error;
      }
    });
    process.stdin.on("error", () => undefined);
    void process.exited.then((exit) => {
      if (this.closed || worker.generation !== this.generation) return;
      const problem = process.describeFailure(exit, "while transforming batches") ?? new FatalError(RunnerCodes.BATCH_WORKER_EXITED, `${process.name} exited`);
      // A worker that died before its generation answered anything is a broken command: fail everything rather than start workers forever.
      if (this.answeredNow === 0) this.broken = problem;
      this.poison(generation, undefined, problem);
    });
    return worker;
  }

  private answered(worker: Worker, header: ResponseHeader, payload: Buffer): void {
    const job = this.jobs.get(header.id);
    // An answer from a poisoned generation, or for a batch already failed, is not used.
    if (job === undefined || job.worker !== worker) return;
    this.settle(job);
    this.answeredNow += 1;
    if (header.error !== undefined) {
      job.reject(
        new DataError(RunnerCodes.BATCH_WORKER_ERROR, `${this.options.name}: ${header.error}`.slice(0, 500), { where: { stream: job.header.stream } }),
      );
      return;
    }
    job.resolve({ format: header.format ?? job.header.format, payload });
  }

  private settle(job: Job): void {
    clearTimeout(job.timer);
    this.jobs.delete(job.header.id);
    job.worker.inFlight -= 1;
    this.waiting.shift()?.();
  }

  /** Kills a generation's workers and fails every batch it held: `cause` for the one that poisoned it, a sibling's error for the others. */
  private poison(generation: number, culprit: Job | undefined, cause: Error): void {
    if (generation !== this.generation) return;
    this.generation += 1;
    this.recycled += 1;
    this.answeredNow = 0;
    for (const worker of this.workers) worker.process.kill("SIGKILL");
    this.workers = [];
    const held = [...this.jobs.values()].filter((job) => job.worker.generation === generation);
    for (const job of held) {
      this.settle(job);
      if (job === culprit || culprit === undefined) job.reject(cause);
      else {
        job.reject(
          new DataError(
            RunnerCodes.BATCH_POOL_RECYCLED,
            `${this.options.name}: batch ${job.header.id} of stream ${job.header.stream} was failed with its worker pool, recycled after batch ${culprit.header.id} timed out`,
            {
              where: { stream: job.header.stream },
              hint: "Its records were not transformed; replay them from the dead-letter queue.",
            },
          ),
        );
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.all(
      this.workers.map(async (worker) => {
        worker.process.endInput();
        const timer = setTimeout(() => worker.process.kill("SIGKILL"), 5000);
        await worker.process.exited;
        clearTimeout(timer);
      }),
    );
  }
}
