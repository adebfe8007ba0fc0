/**
 * Keeps work in source order while letting up to `limit` items be in
 * flight. Items that are already values pass straight through when nothing
 * is waiting (no promise, no allocation); a promise joins the queue, and
 * results are handed to `emit` strictly in the order items were added.
 */
export class OrderedWindow<T> {
  private readonly queue: Array<{ settled: boolean; value: T | undefined; promise: Promise<T> | undefined }> = [];

  constructor(
    private readonly limit: number,
    private readonly emit: (value: T) => void,
  ) {}

  /** Adds an item. Returns a promise when the window is full: await it before adding more. */
  add(item: T | Promise<T>): Promise<void> | undefined {
    if (!(item instanceof Promise)) {
      if (this.queue.length === 0) {
        this.emit(item);
        return undefined;
      }
      this.queue.push({ settled: true, value: item, promise: undefined });
      return undefined;
    }
    const entry: { settled: boolean; value: T | undefined; promise: Promise<T> | undefined } = { settled: false, value: undefined, promise: item };
    entry.promise = item.then((value) => {
      entry.settled = true;
      entry.value = value;
      return value;
    });
    this.queue.push(entry);
    this.drainSettled();
    return this.queue.length >= this.limit ? this.waitForHead() : undefined;
  }

  /** Resolves once every item has been emitted. */
  async flush(): Promise<void> {
    while (this.queue.length > 0) await this.waitForHead();
  }

  get pending(): number {
    return this.queue.length;
  }

  private async waitForHead(): Promise<void> {
    const head = this.queue[0];
    if (head !== undefined && !head.settled) await head.promise;
    this.drainSettled();
  }

  private drainSettled(): void {
    while (this.queue.length > 0 && (this.queue[0] as { settled: boolean }).settled) {
      const entry = this.queue.shift() as { value: T };
      this.emit(entry.value);
    }
  }
}
