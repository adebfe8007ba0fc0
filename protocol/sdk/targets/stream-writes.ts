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

/**
 * Open files by key, at most `limit` at once: the least recently used idle
 * one is closed when another must open (a tap with 10,000 streams would
 * otherwise hold 10,000 descriptors, past most systems' 1,024). A file in
 * use (between `use` and the release it returns) is never closed under its
 * user. `open` is told whether the key was open before (a reopen appends
 * to a file this process completed, so it needs no repair).
 */
export class OpenFiles<Handle> {
  private readonly open = new Map<string, { handle: Handle; users: number }>();
  private readonly seen = new Set<string>();

  constructor(
    private limit: number,
    private readonly opener: (key: string, reopen: boolean) => Promise<Handle>,
    private readonly closer: (handle: Handle) => Promise<void>,
  ) {}

  /** The key's file, opened if need be, and its release (call it once done with it). */
  async use(key: string): Promise<{ readonly handle: Handle; release(): void }> {
    let entry = this.open.get(key);
    if (entry === undefined) {
      await this.makeRoom();
      const handle = await this.openWithin(key);
      this.seen.add(key);
      entry = { handle, users: 0 };
    } else this.open.delete(key);
    // Most recently used last.
    this.open.set(key, entry);
    entry.users += 1;
    const used = entry;
    return { handle: used.handle, release: () => void (used.users -= 1) };
  }

  /** The open file of `key`, if it is open (not opening it). */
  peek(key: string): Handle | undefined {
    return this.open.get(key)?.handle;
  }

  /** Forgets `key`'s file, closing it (as when a schema change starts a new file). */
  async drop(key: string): Promise<void> {
    const entry = this.open.get(key);
    this.open.delete(key);
    this.seen.delete(key);
    if (entry !== undefined) await this.closer(entry.handle);
  }

  async closeAll(): Promise<unknown[]> {
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

  /** Opens `key`'s file; when the system is out of descriptors (EMFILE), the limit drops below what is open now and room is made first. */
  private async openWithin(key: string): Promise<Handle> {
    try {
      return await this.opener(key, this.seen.has(key));
    } catch (error) {
      const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
      if ((code !== "EMFILE" && code !== "ENFILE") || this.open.size === 0) throw error;
      this.limit = Math.max(1, Math.floor(this.open.size * 0.9));
      await this.makeRoom();
      return this.opener(key, this.seen.has(key));
    }
  }

  private async makeRoom(): Promise<void> {
    if (this.open.size < this.limit) return;
    for (const [key, entry] of this.open) {
      if (entry.users > 0) continue;
      this.open.delete(key);
      await this.closer(entry.handle);
      if (this.open.size < this.limit) return;
    }
  }
}
