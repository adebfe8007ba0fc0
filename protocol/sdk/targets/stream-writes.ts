/**
 * A batch's writes, one stream's after another's no more: each stream's
 * entries in their order, different streams at once, at most `limit` at a
 * time. A file target's cost then follows its data: 2,000 streams' fsyncs
 * overlap on the thread pool (the file system commits them together)
 * instead of each waiting for the one before. Every write is let finish;
 * the first failure is then thrown.
 */
export async function writeStreamsAtOnce<T extends { readonly stream: { readonly name: string } }>(
  batch: readonly T[],
  limit: number,
  write: (stream: string, entries: readonly T[]) => Promise<void>,
): Promise<void> {
  const byStream = new Map<string, T[]>();
  for (const entry of batch) {
    const entries = byStream.get(entry.stream.name);
    if (entries === undefined) byStream.set(entry.stream.name, [entry]);
    else entries.push(entry);
  }
  const pending = [...byStream];
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      try {
        await write(next[0], next[1]);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, pending.length)) }, worker));
  if (failure !== undefined) throw failure.error;
}

/** How many streams a file target writes (and fsyncs) at once: past 16 the thread pool is the limit (measured: 2,000 files' append+fsync in 165 ms at once against 583 ms one after another). */
export const STREAMS_AT_ONCE = 16;

/** The `max_open_files` setting of a target that keeps a file per stream open (OpenFiles). */
export const MAX_OPEN_FILES_SETTING = {
  type: "integer",
  minimum: 1,
  default: 4096,
  description:
    "Files kept open at once; with more streams, the least recently written is closed and reopened when needed (fewer when the system runs out of file descriptors).",
} as const;

/** An open file and how many users hold it. */
interface OpenFile<Handle> {
  readonly handle: Handle;
  users: number;
}

/**
 * Open files by key, at most `limit` at once: the least recently used idle
 * one is closed when another must open (a tap with 10,000 streams would
 * otherwise hold 10,000 descriptors, past most systems' 1,024). A file in
 * use (between `use` and the release it returns) is never closed under its
 * user. `open` is told whether the key was open before (a reopen appends
 * to a file this process completed, so it needs no repair).
 */
export class OpenFiles<Handle> {
  private readonly open = new Map<string, OpenFile<Handle>>();
  /** Opens under way: a second user of the key waits for the same open (never two handles for one key). */
  private readonly opening = new Map<string, { readonly promise: Promise<OpenFile<Handle>>; users: number }>();
  private readonly seen = new Set<string>();
  /** Opens waiting for a file to be released (every open one in use when descriptors ran out). */
  private readonly waiting: Array<() => void> = [];
  /**
   * The open before the next one: files are opened one at a time. Files
   * made at once in one directory contend for its lock (measured here:
   * 2,000 new files made 16 at a time took 1.2 s and 2.1 s of system CPU,
   * one at a time 0.4 s and 0.25 s), and that CPU is taken from the
   * parsing of the records.
   */
  private previousOpen: Promise<unknown> = Promise.resolve();

  constructor(
    private limit: number,
    private readonly opener: (key: string, reopen: boolean) => Promise<Handle>,
    private readonly closer: (handle: Handle) => Promise<void>,
  ) {}

  /** The key's file, opened if need be, and its release (call it once done with it). */
  async use(key: string): Promise<{ readonly handle: Handle; release(): void }> {
    let entry = this.open.get(key);
    if (entry === undefined) entry = await this.claimOpening(key);
    else {
      this.open.delete(key);
      entry.users += 1;
    }
    // Most recently used last.
    this.open.set(key, entry);
    const used = entry;
    return { handle: used.handle, release: () => this.release(used) };
  }

  /**
   * Starts opening `key`'s file ahead of its first use, without waiting,
   * when that closes no other file: a target sees a stream's first record
   * long before the batch that writes it. A failure is left for `use` to
   * meet (and report) again.
   */
  prepare(key: string): void {
    if (this.open.has(key) || this.opening.has(key) || this.open.size + this.opening.size >= this.limit) return;
    this.claimOpening(key).then(
      (entry) => this.release(entry),
      () => undefined,
    );
  }

  /** The open file of `key`, if it is open (not opening it). */
  peek(key: string): Handle | undefined {
    return this.open.get(key)?.handle;
  }

  /** Forgets `key`'s file, closing it (as when a schema change starts a new file); an open under way is let finish first. */
  async drop(key: string): Promise<void> {
    await this.opening.get(key)?.promise.catch(() => undefined);
    const entry = this.open.get(key);
    this.open.delete(key);
    this.seen.delete(key);
    if (entry !== undefined) await this.closer(entry.handle);
  }

  /** Joins the open of `key` under way, or starts it; the file comes with this user counted (so no one closes it before it is used). */
  private claimOpening(key: string): Promise<OpenFile<Handle>> {
    let pending = this.opening.get(key);
    if (pending === undefined) {
      const promise = (async () => {
        const handle = await this.openWithin(key);
        this.seen.add(key);
        // Every user that joined while it opened holds it from here.
        const entry = { handle, users: this.opening.get(key)?.users ?? 1 };
        this.opening.delete(key);
        this.open.set(key, entry);
        return entry;
      })();
      pending = { promise, users: 0 };
      this.opening.set(key, pending);
      promise.catch(() => this.opening.delete(key));
    }
    pending.users += 1;
    return pending.promise;
  }

  private release(entry: OpenFile<Handle>): void {
    entry.users -= 1;
    for (const wake of this.waiting.splice(0)) wake();
  }

  async closeAll(): Promise<unknown[]> {
    await Promise.all([...this.opening.values()].map((pending) => pending.promise.catch(() => undefined)));
    const errors: unknown[] = [];
    for (const [key, entry] of this.open) {
      this.open.delete(key);
      await this.closer(entry.handle).catch((error: unknown) => errors.push(error));
    }
    return errors;
  }

  get size(): number {
    return this.open.size;
  }

  /**
   * Opens `key`'s file. When the system is out of descriptors (EMFILE), the
   * limit drops below what is open now and idle files are closed, or, when
   * every open file is in use, the next release is awaited; then it tries
   * again. Out of descriptors with none of its own open is an error.
   */
  private async openWithin(key: string): Promise<Handle> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.openAfterPrevious(key);
      } catch (error) {
        if (!outOfDescriptors(error) || this.open.size === 0 || attempt >= 1000) throw error;
        this.limit = Math.max(1, Math.min(this.limit, Math.floor(this.open.size * 0.9)));
        if ((await this.makeRoom()) === 0) await new Promise<void>((resolve) => this.waiting.push(resolve));
      }
    }
  }

  /**
   * Runs the opener for `key` once the open before it has ended, making room
   * first at its turn: opens queued behind one that met the descriptor limit
   * then stay under the lowered limit instead of filling the process again.
   */
  private openAfterPrevious(key: string): Promise<Handle> {
    const opened = this.previousOpen.then(async () => {
      await this.makeRoom();
      return await this.opener(key, this.seen.has(key));
    });
    this.previousOpen = opened.catch(() => undefined);
    return opened;
  }

  /** Closes idle files, least recently used first, until fewer than the limit are open; returns how many it closed. */
  private async makeRoom(): Promise<number> {
    let closed = 0;
    for (const [key, entry] of this.open) {
      if (this.open.size < this.limit) break;
      if (entry.users > 0) continue;
      this.open.delete(key);
      await this.closer(entry.handle);
      closed += 1;
    }
    return closed;
  }
}

/** True for EMFILE or ENFILE, on the error or on what it wraps (a file error's cause). */
function outOfDescriptors(error: unknown): boolean {
  for (let current = error; typeof current === "object" && current !== null; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (code === "EMFILE" || code === "ENFILE") return true;
  }
  return false;
}
