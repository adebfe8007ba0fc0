/**
 * Per-stream tables. Stream names are data (`constructor`, `__proto__`,
 * `toString` are stream names like any other): tables have no prototype,
 * and lookups are of own properties only.
 */
export function streamTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The count of `stream` in a table, 0 when it has none of its own. */
export function countOf(table: Readonly<Record<string, number>>, stream: string): number {
  return Object.hasOwn(table, stream) ? (table[stream] as number) : 0;
}

/** Counts per stream, kept in a prototype-less object so snapshots are cheap copies. */
export class StreamCounters {
  readonly byStream: Record<string, number> = streamTable<number>();
  total = 0;

  add(stream: string, count = 1): void {
    // The table has no prototype, so what a lookup finds is its own (`__proto__` included): no hasOwn needed.
    this.byStream[stream] = (this.byStream[stream] ?? 0) + count;
    this.total += count;
  }

  snapshot(): Record<string, number> {
    return Object.assign(streamTable<number>(), this.byStream);
  }
}
