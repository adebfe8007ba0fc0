import { existsSync } from "node:fs";
import type { Worker } from "node:worker_threads";
import type { CreateTablesReply, CreateTablesRequest } from "./create-tables-worker.js";

/**
 * The worker's module, built beside this connector's bin.js: this module is
 * there too in a build without shared chunks, and in dist/chunks/ in ours.
 */
function workerModule(): URL {
  const beside = new URL("./create-tables-worker.js", import.meta.url);
  return existsSync(beside) ? beside : new URL("../connectors/target-sqlite/create-tables-worker.js", import.meta.url);
}

/**
 * Tables queued before the thread is started: below this, the caller makes
 * them itself. Starting the thread costs 60 ms (a 20-record run took 0.33 s
 * with it against 0.27 s); 500 tables cost the main thread 20 ms.
 */
const THREAD_FROM_TABLES = 500;

/** What settled() leaves: the tables that existed already, and those never sent (fewer than THREAD_FROM_TABLES), for the caller to make. */
export interface MadeTables {
  readonly existed: ReadonlySet<string>;
  readonly left: readonly string[];
}

/** A table to create, and the SQL that creates it. */
interface NewTable {
  readonly name: string;
  readonly sql: string;
}

/**
 * Creates new tables on a worker thread, with a connection of its own,
 * while the main thread goes on reading records. SQLite reads its whole
 * schema table again after each CREATE TABLE, so a run that makes 2,000
 * tables spends 0.3 s on them, 4,000 tables 1 s, all of it on the thread
 * that would otherwise be parsing and inserting.
 *
 * Tables are queued by `add` and sent together at the next turn of the
 * event loop (a tap's SCHEMAs come in a row), once THREAD_FROM_TABLES have
 * come; `settled` waits for every table sent and says which existed
 * already (created by an earlier run or another writer meanwhile), for the
 * caller to evolve as it would any, and which were left to it.
 */
export class TableMaker {
  private worker: Worker | undefined;
  private queued: NewTable[] = [];
  private sending: NodeJS.Immediate | undefined;
  private readonly replies: Array<{ readonly resolve: (existed: string[]) => void; readonly reject: (error: Error) => void }> = [];
  private outstanding: Promise<string[]>[] = [];
  private failure: Error | undefined;

  constructor(
    private readonly file: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Queues a table to create. */
  add(name: string, sql: string): void {
    this.queued.push({ name, sql });
    this.sending ??= setImmediate(() => this.send());
  }

  /** Waits for every table sent; throws what failed (a SQLite error, with its code). */
  async settled(): Promise<MadeTables> {
    this.send();
    const left = this.queued.map((table) => table.name);
    this.queued = [];
    const outstanding = this.outstanding;
    this.outstanding = [];
    const existed = new Set<string>();
    for (const names of await Promise.all(outstanding)) for (const name of names) existed.add(name);
    return { existed, left };
  }

  async close(): Promise<void> {
    if (this.sending !== undefined) clearImmediate(this.sending);
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private send(): void {
    if (this.sending !== undefined) clearImmediate(this.sending);
    this.sending = undefined;
    if (this.queued.length === 0 || (this.worker === undefined && this.queued.length < THREAD_FROM_TABLES)) return;
    const request: CreateTablesRequest = { tables: this.queued };
    this.queued = [];
    const reply = new Promise<string[]>((resolve, reject) => {
      if (this.failure !== undefined) reject(this.failure);
      else this.replies.push({ resolve, reject });
    });
    // Awaited by settled(); never an unhandled rejection meanwhile.
    reply.catch(() => undefined);
    this.outstanding.push(reply);
    if (this.failure === undefined) {
      const worker = this.started();
      // Kept alive while it owes a reply; idle, it does not hold the process open.
      worker.ref();
      worker.postMessage(request);
    }
  }

  private started(): Worker {
    if (this.worker !== undefined) return this.worker;
    // node:worker_threads loads with the first thread: a run making fewer tables starts without it.
    const { Worker } = process.getBuiltinModule("node:worker_threads");
    const worker = new Worker(workerModule(), { workerData: { file: this.file, busyTimeoutMs: this.busyTimeoutMs } });
    worker.on("message", (reply: CreateTablesReply) => {
      const waiting = this.replies.shift();
      if (this.replies.length === 0) worker.unref();
      if ("error" in reply) waiting?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else waiting?.resolve(reply.existed);
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => {
      if (this.worker === worker && this.replies.length > 0) this.fail(new Error(`the table-creating thread stopped (exit code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const waiting of this.replies.splice(0)) waiting.reject(error);
  }
}
